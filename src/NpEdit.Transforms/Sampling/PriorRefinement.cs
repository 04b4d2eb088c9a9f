using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Sampling;

/// <summary>
/// One refinement step by a text-to-image flow model (the prior the editor was trained from): each image is re-noised
/// to time <c>t</c> with its row's own noise and denoised in one step, conditioned on the text the editor read.
/// Why: NP-Edit's few-step student draws a fine grain that DMD cannot see (docs/editor.md); the prior, trained only
/// on clean images, removes noise of that scale at a small t, where the scene itself (layout, shapes, colours) is
/// still fixed by the image. An SDEdit step at low noise, as a refiner stage.
/// </summary>
public static class PriorRefinement
{
    /// <summary>The noise stream of the refinement step: far above the sampler's (0 for the start, k for the k-th step).</summary>
    public const int NoiseStream = 1_000_000;

    /// <param name="prior">The refiner (no reference image is given to it).</param>
    /// <param name="images">[B, 3, H, W] images in [-1, 1].</param>
    /// <param name="texts">One text per image.</param>
    /// <param name="seeds">One seed per image (the row's sampling seed); the result of a row depends on its own only.</param>
    /// <param name="time">The re-noising time, in (0, 1).</param>
    public static Tensor Refine(FlowModel prior, Tensor images, IReadOnlyList<string> texts, IReadOnlyList<long> seeds, double time)
    {
        if (time <= 0 || time >= 1) throw new ArgumentOutOfRangeException(nameof(time), time, "The refinement time must lie in (0, 1).");
        if (texts.Count != images.shape[0] || seeds.Count != images.shape[0])
            throw new ArgumentException($"One text and one seed per image are needed: {images.shape[0]} images, {texts.Count} texts, {seeds.Count} seeds.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var latent = prior.Codec.Encode(images.to(prior.Device));
        var noise = RowNoise.Draw(seeds, latent.shape.Skip(1).ToArray(), NoiseStream).to(prior.Device);
        var noisy = latent.Mul(1 - time).Add(noise.Mul(time));
        var t = TensorMath.Full(new[] { latent.shape[0] }, time, ScalarType.Float32, prior.Device);
        var clean = noisy.sub(prior.Velocity(noisy, t, prior.EncodeText(texts)).Mul(time));
        return prior.Codec.Decode(clean).MoveToOuterDisposeScope();
    }
}
