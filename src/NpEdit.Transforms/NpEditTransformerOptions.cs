using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Sampling;

namespace NpEdit.Transforms;

/// <summary>How a fitted NP-Edit editor is applied to rows. Plain data: saved in the model file.</summary>
public sealed record NpEditTransformerOptions
{
    /// <summary>Source images: an Image column (<c>LoadImages</c>) or encoded bytes (<c>LoadRawImageBytes</c>).</summary>
    public string ImageColumnName { get; init; } = "Image";
    public string InstructionColumnName { get; init; } = "Instruction";
    public string OutputColumnName { get; init; } = "EditedImage";
    /// <summary>Text column holding the reason a row was not edited ("" for edited rows).</summary>
    public string ErrorColumnName { get; init; } = "EditError";
    /// <summary>The few-step sampler the editor was trained for (4 re-noising steps by default).</summary>
    public SamplerOptions Sampler { get; init; } = new() { Steps = 4, Shift = 3.0, Mode = SamplerMode.Renoise };
    public int BatchSize { get; init; } = 16;
    /// <summary>
    /// After sampling, one <see cref="PriorRefinement"/> step by the transformer's refiner (the prior) at this time;
    /// 0 = off. Needs a refiner (<see cref="NpEditTransformer.Refiner"/>). It costs one more model pass per image.
    /// </summary>
    public double RefineTime { get; init; }
    /// <summary>
    /// After sampling (and refinement), pixels whose largest channel change is below this (on the [-1, 1] scale) take
    /// the source's colour back (<see cref="SourceKeeping"/>); 0 = off.
    /// </summary>
    public double KeepSourceBelow { get; init; }
    /// <summary>Row r is edited with noise seeded by <c>Seed + r</c>.</summary>
    public long Seed { get; init; }
    /// <summary>Resize each edited image back to its source's size (the model works at its own resolution).</summary>
    public bool ResizeOutputToInput { get; init; }
    /// <summary>Throw on the first bad row instead of reporting it in <see cref="ErrorColumnName"/>.</summary>
    public bool ThrowOnError { get; init; }
    /// <summary>Decoding limits for byte columns.</summary>
    public ImageDecodeLimits ImageLimits { get; init; } = ImageDecodeLimits.Default;
}
