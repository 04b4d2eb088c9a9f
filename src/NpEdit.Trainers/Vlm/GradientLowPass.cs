using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Passes images through unchanged but low-passes the gradient that flows back: the backward pass sees the images
/// average-pooled by <c>factor</c> and repeated back to full size (a projection onto images constant in factor x
/// factor blocks), so only changes at that scale or coarser get gradient.
/// Why: a small judge's pixel gradient is mostly adversarial; descending it raises the judge's P(correct) with
/// changes the oracle cannot see (docs/judge.md, the gradient check). Restricting the gradient to coarse changes
/// leaves the judge fewer such directions. The judge still sees the image exactly as it is.
/// </summary>
public static class GradientLowPass
{
    public static Tensor Apply(Tensor images, int factor)
    {
        if (factor <= 1) return images;
        long h = images.shape[^2], w = images.shape[^1];
        if (h % factor != 0 || w % factor != 0)
            throw new ArgumentException($"Gradient low-pass factor {factor} must divide the image size {h}x{w}.", nameof(factor));
        var low = nn.functional.interpolate(nn.functional.avg_pool2d(images, factor), new long[] { h, w }, mode: InterpolationMode.Nearest);
        return images.detach().Add(low.sub(low.detach()));
    }
}
