using NpEdit.Transforms.Runtime;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Losses;

/// <summary>
/// Per-pixel loss weights that count pixels unlike the image's background more: 1 on the background, 1 + w where any
/// channel differs from the background by more than a threshold. The background is each image's per-channel median,
/// which is its backdrop whenever objects cover less than half of it (always, in the default world).
/// Why: a scene's objects are a small share of its pixels, so a plain mean squared error is mostly about the
/// backdrop, which the prior learns within a few hundred steps; where objects go and what they look like is what
/// takes thousands. Weighting changes the optimum at high noise towards drawing objects more strongly.
/// </summary>
public static class ForegroundWeights
{
    /// <summary>A pixel is foreground when some channel is this far from the background ([-1, 1] pixel units).</summary>
    public const double Threshold = 0.1;

    /// <param name="x0">[B, C, H, W] clean latents (pixels in [-1, 1] for the pixel codec).</param>
    /// <param name="weight">Extra weight w of foreground pixels (0 gives all ones).</param>
    /// <returns>[B, 1, H, W] weights, no gradient.</returns>
    public static Tensor Of(Tensor x0, double weight)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long b = x0.shape[0], c = x0.shape[1], h = x0.shape[2], w = x0.shape[3];
        var background = x0.reshape(b, c, h * w).sort(dim: 2).Values.select(2, (h * w - 1) / 2).view(b, c, 1, 1);
        var foreground = x0.sub(background).abs().amax(new long[] { 1 }, keepdim: true).Gt(Threshold);
        var weights = foreground.to(x0.dtype).Mul(weight).Add(1.0);
        return weights.MoveToOuterDisposeScope();
    }
}
