using NpEdit.Transforms.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Shows the judge a purified image: re-noised to time t and denoised in one step by the frozen text-to-image prior
/// with an empty prompt, differentiably (after DiffPure, Nie et al. 2022). The judge's gradient then reaches the
/// pixels through the denoiser's Jacobian, which passes changes the prior finds plausible (a new colour, a moved
/// object) and damps the fine patterns that fool a small judge. The prompt is empty so that the prior adds no hint
/// of the edit by itself.
/// </summary>
public sealed class DiffusionPurifier : IDisposable
{
    private readonly FlowModel _prior;
    private readonly EncodedText _empty;

    /// <param name="prior">The text-to-image prior; it must be frozen (gradients pass through it, never into it).</param>
    /// <param name="time">Re-noising time in (0, 1): larger removes more of the image's fine detail.</param>
    public DiffusionPurifier(FlowModel prior, double time)
    {
        if (!(time > 0 && time < 1)) throw new ArgumentOutOfRangeException(nameof(time), time, "The purification time must lie strictly between 0 and 1.");
        if (prior.parameters().Any(p => p.requires_grad))
            throw new ArgumentException("The purifier's prior must be frozen (FlowModel.Freeze()).", nameof(prior));
        _prior = prior;
        Time = time;
        _empty = prior.EncodeText(new[] { string.Empty });
        _empty.Features.DetachFromDisposeScope();
        _empty.Mask.DetachFromDisposeScope();
    }

    public double Time { get; }

    /// <summary>[B, 3, H, W] images in [-1, 1] -> their one-step denoised versions, with gradients to the input.</summary>
    public Tensor Apply(Tensor images, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0];
        var latent = _prior.Codec.Encode(images);
        var noise = torch.randn(latent.shape, generator: generator).to(latent.device);
        var noisy = latent.Mul(1 - Time).Add(noise.Mul(Time));
        var t = TensorMath.Full(new[] { b }, Time, ScalarType.Float32, latent.device);
        var text = new EncodedText(_empty.Features.expand(b, -1, -1), _empty.Mask.expand(b, -1));
        var velocity = _prior.Velocity(noisy, t, text);
        var denoised = noisy.sub(velocity.Mul(Time));
        return _prior.Codec.Decode(denoised).MoveToOuterDisposeScope();
    }

    public void Dispose() => _empty.Dispose();
}
