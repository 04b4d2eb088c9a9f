namespace NpEdit.Transforms.IO;

/// <summary>
/// The checks every shipped-model folder (weights + <c>manifest.json</c>) gets on load: the manifest exists and names
/// the expected kind, and the weights file it names exists with the recorded SHA-256.
/// </summary>
public static class ModelFolder
{
    public const string ManifestFile = "manifest.json";

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
