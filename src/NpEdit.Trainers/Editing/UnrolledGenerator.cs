using NpEdit.Transforms.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Editing;

/// <summary>
/// The generator unrolled as in training (ALGORITHM.md step 1): ε ~ N(0, I); v̂ = G(ε, 1, c, y); x̂0 = ε − v̂; then
/// (two-step) re-noise with fresh noise x̂_t = (1 − t)·x̂0 + t·ε' and x0 = x̂_t − t·G(x̂_t, t, c, y). Gradients flow
/// through both calls; the VLM then judges a clean x0 instead of a blurry first estimate.
/// </summary>
public static class UnrolledGenerator
{
    /// <summary>The unrolled output and its intermediates (so tests can check where gradients go).</summary>
    public sealed record Result(Tensor X0, Tensor FirstVelocity, Tensor? SecondVelocity, double IntermediateTime);

    /// <param name="referenceLatent">The source latent, or null for a text-to-image student.</param>
    /// <param name="intermediateTime">The re-noising time t, or null for the one-step case.</param>
    public static Result Run(FlowModel student, EncodedText instruction, Tensor? referenceLatent, Tensor noise, Tensor? freshNoise, double? intermediateTime)
    {
        long b = noise.shape[0];
        var device = noise.device;
        var ones = torch.ones(b, device: device);
        var first = student.Velocity(noise, ones, instruction, referenceLatent);
        var x0Hat = noise.sub(first);
        if (intermediateTime is not double t)
        {
            return new Result(x0Hat, first, null, 1.0);
        }
        var xt = x0Hat.Mul(1.0 - t).Add(freshNoise!.Mul(t));
        var second = student.Velocity(xt, TensorMath.Full(new[] { b }, t, device: device), instruction, referenceLatent);
        var x0 = xt.sub(second.Mul(t));
        return new Result(x0, first, second, t);
    }
}
