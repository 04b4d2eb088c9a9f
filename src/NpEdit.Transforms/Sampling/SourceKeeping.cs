using NpEdit.Transforms.Runtime;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Sampling;

/// <summary>
/// After an edit, every pixel whose colour the editor changed by less than a threshold takes the source's colour back.
/// Why: a few-step editor redraws the whole image, so the parts an instruction does not touch come back close to the
/// source but not equal to it (a grain over backgrounds, small shapes drawn a little off); an edit changes what it
/// changes by much more than that. Keeping the source where the change is small returns those parts exactly and leaves
/// the edit alone. Pixels are compared by their largest channel difference, on the [-1, 1] scale.
/// </summary>
public static class SourceKeeping
{
    /// <summary>The largest useful threshold: channels span [-1, 1], so no difference reaches 2.</summary>
    public const double MaxThreshold = 2.0;

    /// <param name="edited">[B, 3, H, W] edited images in [-1, 1].</param>
    /// <param name="sources">[B, 3, H, W] their sources, at the same size.</param>
    /// <param name="threshold">Pixels whose largest channel change is below this keep the source (0 = none do).</param>
    public static Tensor Apply(Tensor edited, Tensor sources, double threshold)
    {
        if (threshold < 0 || threshold > MaxThreshold)
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"The keep threshold must lie in [0, {MaxThreshold}] (0 = off).");
        if (!edited.shape.SequenceEqual(sources.shape))
            throw new ArgumentException($"Edited images [{string.Join(", ", edited.shape)}] and sources [{string.Join(", ", sources.shape)}] differ in shape.");
        if (threshold == 0) return edited.alias();
        using var scope = NewDisposeScope();
        var source = sources.to(edited.dtype, edited.device);
        var change = edited.sub(source).abs().amax(new long[] { 1 }, keepdim: true);
        return where(change.Lt(threshold), source, edited).MoveToOuterDisposeScope();
    }
}
