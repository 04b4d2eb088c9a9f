using System.Text.Json.Nodes;

namespace NpEdit.Transforms.IO;

/// <summary>
/// The manifest beside shipped weights: what the model is, the hash of its weights, how it was trained (the exact
/// command that reproduces it) and what it measured. Loading refuses weights whose hash differs.
/// </summary>
public sealed record ModelManifest
{
    public string Kind { get; init; } = "";
    public int FormatVersion { get; init; } = 1;
    /// <summary>The model config as JSON (checked against the weights on load).</summary>
    public JsonNode? Config { get; init; }
    public string Tokenizer { get; init; } = "";
    public string WeightsFile { get; init; } = "model.safetensors";
    public string WeightsSha256 { get; init; } = "";
    public long WeightsBytes { get; init; }
    public TrainingRecord? Training { get; init; }
    public Dictionary<string, double> Metrics { get; init; } = new();
    public string CreatedUtc { get; init; } = "";
}

/// <summary>How a shipped model was made.</summary>
public sealed record TrainingRecord
{
    public string Command { get; init; } = "";
    public long Seed { get; init; }
    public long Steps { get; init; }
    public double WallTimeSeconds { get; init; }
    public string Machine { get; init; } = "";
    public Dictionary<string, string> Settings { get; init; } = new();
}
