using NpEdit.Transforms.Models;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Losses;

/// <summary>
/// The flow-matching objective: with x_t = (1 − t)·x0 + t·ε the model regresses the velocity v = ε − x0.
/// Used for prior pretraining, the copy warm-up, the online fake-score model and the supervised baseline.
/// </summary>
public static class FlowMatchingLoss
{
    /// <param name="model">The model being trained.</param>
    /// <param name="target">[B, C, S, S] clean latents x0.</param>
    /// <param name="text">Encoded prompts.</param>
    /// <param name="t">[B] times.</param>
    /// <param name="noise">[B, C, S, S] ε.</param>
    /// <param name="reference">Optional clean reference latents (editing).</param>
    /// <param name="pixelWeights">Optional [B, 1, S, S] weights (<see cref="ForegroundWeights"/>); the loss is then the
    /// weighted mean, so its scale stays comparable with the plain one.</param>
    public static Tensor Compute(FlowModel model, Tensor target, EncodedText text, Tensor t, Tensor noise, Tensor? reference = null, Tensor? pixelWeights = null)
    {
        using var scope = NewDisposeScope();
        var predicted = model.Velocity(Noisy(target, t, noise), t, text, reference);
        return Loss(predicted, target, noise, pixelWeights).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The same loss (no reference), and the target tokens' hidden states after the first <paramref name="blocksRun"/>
    /// transformer blocks, for an auxiliary loss on the same forward pass (<see cref="TextToImage.CellContentProbe"/>).
    /// </summary>
    public static (Tensor Loss, Tensor Hidden) ComputeWithHidden(FlowModel model, Tensor target, EncodedText text, Tensor t, Tensor noise, int blocksRun, Tensor? pixelWeights = null)
    {
        using var scope = NewDisposeScope();
        var (predicted, hidden) = model.VelocityAndHidden(Noisy(target, t, noise), t, text, blocksRun);
        return (Loss(predicted, target, noise, pixelWeights).MoveToOuterDisposeScope(), hidden.MoveToOuterDisposeScope());
    }

    private static Tensor Noisy(Tensor target, Tensor t, Tensor noise)
    {
        var tb = t.view(-1, 1, 1, 1);
        return target.mul(tb.SubtractedFrom(1)).Add(noise.mul(tb));
    }

    private static Tensor Loss(Tensor predicted, Tensor target, Tensor noise, Tensor? pixelWeights) =>
        pixelWeights is null
            ? nn.functional.mse_loss(predicted, noise.sub(target))
            : predicted.sub(noise.sub(target)).Pow(2).mul(pixelWeights).sum().div(pixelWeights.expand_as(target).sum());
}
