using System.Text.Json.Nodes;
using TorchSharp;

namespace NpEdit.Transforms.IO;

/// <summary>
/// A shipped-model folder (weights + <c>manifest.json</c>): how every kind is written, and the checks every kind gets
/// on load (the manifest exists and names the expected kind, the weights file it names has the recorded SHA-256).
/// </summary>
public static class ModelFolder
{
    public const string ManifestFile = "manifest.json";
    public const string WeightsFile = "model.safetensors";

    /// <summary>Writes <paramref name="module"/>'s weights and a manifest that records their hash, the config and how they were made.</summary>
    public static ModelManifest Write(torch.nn.Module module, string folder, string kind, JsonNode? config, string tokenizer,
        TrainingRecord? training, IReadOnlyDictionary<string, double>? metrics)
    {
        Directory.CreateDirectory(folder);
        string weights = Path.Combine(folder, WeightsFile);
        StateDictIO.Save(module, weights, new Dictionary<string, string> { ["format"] = "pt", ["kind"] = kind });
        var manifest = new ModelManifest
        {
            Kind = kind,
            Config = config,
            Tokenizer = tokenizer,
            WeightsFile = WeightsFile,
            WeightsSha256 = Sha256.OfFile(weights),
            WeightsBytes = new FileInfo(weights).Length,
            Training = training,
            Metrics = metrics?.ToDictionary(k => k.Key, k => k.Value) ?? new(),
            CreatedUtc = DateTime.UtcNow.ToString("O"),
        };
        File.WriteAllText(Path.Combine(folder, ManifestFile), Json.Serialize(manifest));
        return manifest;
    }

    /// <summary>Reads the manifest; <paramref name="what"/> names the kind in errors ("a VLM judge").</summary>
    public static ModelManifest ReadManifest(string folder, string kind, string what)
    {
        string path = Path.Combine(folder, ManifestFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"No {ManifestFile} in {folder}; not {what} folder.", path);
        var manifest = Json.Deserialize<ModelManifest>(File.ReadAllText(path), path);
        if (manifest.Kind != kind) throw new InvalidDataException($"{path}: kind '{manifest.Kind}' is not {what} ('{kind}').");
        return manifest;
    }

    /// <summary>The path of the manifest's weights file, after checking that it exists and has the recorded hash.</summary>
    public static string VerifiedWeights(string folder, ModelManifest manifest)
    {
        string weights = Path.Combine(folder, manifest.WeightsFile);
        if (!File.Exists(weights)) throw new FileNotFoundException($"Weights {weights} named by the manifest are missing.", weights);
        string actual = Sha256.OfFile(weights);
        if (!string.Equals(actual, manifest.WeightsSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{weights}: SHA-256 {actual} does not match the manifest ({manifest.WeightsSha256}); the file is damaged or was replaced.");
        }
        return weights;
    }
}
