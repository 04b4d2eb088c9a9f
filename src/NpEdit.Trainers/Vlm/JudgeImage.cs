using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// One image of a judge question: either pixels (<c>[3,H,W]</c> in [-1,1], gradients flow through them) or
/// features already computed by <see cref="YesNoScorer.EncodeImages"/> (<c>[TokensPerImage, D]</c>; reused
/// across steps for images that need no gradient, such as NP-Edit's source image).
/// </summary>
public sealed class JudgeImage
{
    private JudgeImage(Tensor? pixels, Tensor? features)
    {
        Pixels = pixels;
        Features = features;
    }

    public Tensor? Pixels { get; }
    public Tensor? Features { get; }

    public static JudgeImage FromPixels(Tensor pixels)
    {
        if (pixels.dim() != 3) throw new ArgumentException($"Expected [3,H,W] pixels, got [{string.Join(",", pixels.shape)}].", nameof(pixels));
        return new JudgeImage(pixels, null);
    }

    public static JudgeImage FromFeatures(Tensor features)
    {
        if (features.dim() != 2) throw new ArgumentException($"Expected [tokens, hidden] features, got [{string.Join(",", features.shape)}].", nameof(features));
        return new JudgeImage(null, features);
    }

    public static implicit operator JudgeImage(Tensor pixels) => FromPixels(pixels);
}
