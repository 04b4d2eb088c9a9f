using NpEdit.Transforms.Models;
using NpEdit.Transforms.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Losses;

/// <summary>
/// Distribution matching (DMD2's form, for flow models). The generated x0 is re-noised to a random t; the frozen
/// teacher (with classifier-free guidance) and the online fake-score model both predict x0 there, conditioned on the
/// edited caption and with no reference image. The gradient
/// <c>g = (x0_fake − x0_real) / mean|x0 − x0_real|</c> (normalised per sample) moves x0 toward what the teacher
/// believes and away from what the generator currently produces; the surrogate <c>0.5·mse(x0, sg(x0 − g))</c> has
/// g (divided by the element count, mse's mean) as its gradient with respect to x0.
/// </summary>
public static class DistributionMatchingLoss
{
    public sealed record Result(Tensor Loss, Tensor Gradient) : IDisposable
    {
        public void Dispose()
        {
            Loss.Dispose();
            Gradient.Dispose();
        }
    }

    /// <param name="x0">[B, C, S, S] generated latents, with a graph back to the generator.</param>
    /// <param name="teacher">Frozen base model (the real score).</param>
    /// <param name="fake">Online fake-score model.</param>
    /// <param name="editedText">Edited captions c_x, encoded by the teacher's text encoder.</param>
    /// <param name="emptyText">Empty prompts (same count) for the teacher's unconditional branch.</param>
    /// <param name="fakeText">Edited captions encoded by the fake model's text encoder.</param>
    /// <param name="t">[B] re-noising times.</param>
    /// <param name="noise">[B, C, S, S].</param>
    /// <param name="gradientPool">Average the gradient over blocks of this size (1 = off): an extension that keeps only
    /// changes at that scale or coarser.</param>
    public static Result Compute(Tensor x0, FlowModel teacher, FlowModel fake, EncodedText editedText, EncodedText emptyText, EncodedText fakeText, Tensor t, Tensor noise, double guidanceScale, int gradientPool = 1)
    {
        using var scope = NewDisposeScope();
        Tensor gradient;
        using (no_grad())
        {
            var x = x0.detach();
            var tb = t.view(-1, 1, 1, 1);
            var noisy = x.mul(tb.SubtractedFrom(1)).Add(noise.mul(tb));
            Tensor vReal;
            if (guidanceScale == 1.0)
            {
                vReal = teacher.Velocity(noisy, t, editedText);
            }
            else
            {
                var both = teacher.Velocity(torch.cat(new[] { noisy, noisy }, 0), torch.cat(new[] { t, t }, 0), editedText.Concat(emptyText)).chunk(2, 0);
                vReal = Guidance.Combine(both[0], both[1], guidanceScale);
            }
            var x0Real = noisy.sub(vReal.mul(tb));
            var x0Fake = noisy.sub(fake.Velocity(noisy, t, fakeText).mul(tb));
            gradient = BlockAverage(Gradient(x, x0Real, x0Fake), gradientPool);
        }
        var result = FromGradient(x0, gradient);
        return new Result(result.Loss.MoveToOuterDisposeScope(), result.Gradient.MoveToOuterDisposeScope());
    }

    /// <summary>g = (x0_fake − x0_real) / mean|x0 − x0_real|, the mean taken per sample; non-finite entries become 0.</summary>
    public static Tensor Gradient(Tensor x0, Tensor x0Real, Tensor x0Fake)
    {
        using var scope = NewDisposeScope();
        var normaliser = x0.sub(x0Real).abs().mean(new long[] { 1, 2, 3 }, keepdim: true).ClampMin(1e-6);
        return x0Fake.sub(x0Real).div(normaliser).nan_to_num().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// g averaged over <paramref name="factor"/> x <paramref name="factor"/> blocks and repeated back to full size: the
    /// projection onto changes constant within blocks. Why: followed on clean sources, DMD's gradient makes the edit but
    /// also lays a fine grain over the whole image, and the grain is what an editor trained on it learns first.
    /// </summary>
    public static Tensor BlockAverage(Tensor gradient, int factor)
    {
        if (factor <= 1) return gradient;
        long h = gradient.shape[^2], w = gradient.shape[^1];
        if (h % factor != 0 || w % factor != 0)
            throw new ArgumentException($"DMD gradient pool {factor} must divide the latent size {h}x{w}.", nameof(factor));
        using var pooled = nn.functional.avg_pool2d(gradient, factor);
        return nn.functional.interpolate(pooled, new long[] { h, w }, mode: InterpolationMode.Nearest);
    }

    /// <summary>The surrogate loss 0.5·mse(x0, sg(x0 − g)) for a given gradient g.</summary>
    public static Result FromGradient(Tensor x0, Tensor gradient)
    {
        using var scope = NewDisposeScope();
        var target = x0.detach().sub(gradient);
        var loss = nn.functional.mse_loss(x0, target).Mul(0.5);
        return new Result(loss.MoveToOuterDisposeScope(), gradient.alias().MoveToOuterDisposeScope());
    }
}
