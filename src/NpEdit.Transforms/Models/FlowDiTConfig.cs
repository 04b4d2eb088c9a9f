using System.Text.Json.Serialization;

namespace NpEdit.Transforms.Models;

/// <summary>
/// Shape of the single-stream flow transformer. Plain data: serialised into every model package, checked on load.
/// </summary>
public sealed record FlowDiTConfig
{
    /// <summary>Side of the square latent the model works on (for the pixel codec: the image side).</summary>
    public int LatentSize { get; init; } = 32;
    /// <summary>Latent channels (3 for the pixel codec).</summary>
    public int Channels { get; init; } = 3;
    public int PatchSize { get; init; } = 4;
    public int Hidden { get; init; } = 256;
    public int Depth { get; init; } = 6;
    public int Heads { get; init; } = 4;
    public double MlpRatio { get; init; } = 4.0;
    /// <summary>Width of the text encoder's output, projected to <see cref="Hidden"/>.</summary>
    public int TextHidden { get; init; } = 128;
    /// <summary>Rotary dims per axis (frame, row, column); they sum to the head dim.</summary>
    public int[] RopeAxes { get; init; } = { 16, 24, 24 };
    /// <summary>What the output layer predicts; <see cref="FlowDiT"/> returns a velocity either way. Absent from older
    /// packages, which all predict the velocity.</summary>
    public FlowPrediction Prediction { get; init; } = FlowPrediction.Velocity;

    [JsonIgnore] public int HeadDim => Hidden / Heads;
    [JsonIgnore] public int GridSize => LatentSize / PatchSize;
    [JsonIgnore] public int TokensPerImage => GridSize * GridSize;
    [JsonIgnore] public int PatchDim => Channels * PatchSize * PatchSize;

    public void Validate()
    {
        if (Hidden % Heads != 0) throw new ArgumentException($"Hidden {Hidden} is not divisible by heads {Heads}.");
        if (LatentSize % PatchSize != 0) throw new ArgumentException($"Latent size {LatentSize} is not divisible by patch size {PatchSize}.");
        if (!Enum.IsDefined(Prediction)) throw new ArgumentException($"Unknown prediction {Prediction}.");
        if (RopeAxes.Length != 3 || RopeAxes.Sum() != HeadDim || RopeAxes.Any(a => a % 2 != 0))
        {
            throw new ArgumentException($"RopeAxes [{string.Join(", ", RopeAxes)}] must be three even numbers summing to the head dim {HeadDim}.");
        }
    }
}
