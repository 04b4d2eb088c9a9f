namespace NpEdit.Transforms.Models;

/// <summary>
/// What the flow transformer's output layer predicts. Either way <see cref="FlowDiT.Forward(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor?)"/>
/// returns a velocity, so samplers, losses and NP-Edit's trainers never see the difference.
/// </summary>
public enum FlowPrediction
{
    /// <summary>The velocity <c>v = ε − x0</c> directly (the shipped prior).</summary>
    Velocity,

    /// <summary>
    /// The clean image x0, turned into <c>v = (x_t − x0) / max(t, t_min)</c>. A velocity carries a whole patch of
    /// noise, which cannot pass through a transformer narrower than the patch (8x8x3 = 192 values through width 128);
    /// the clean image lies on a low-dimensional manifold and can ("Back to Basics: Let Denoising Generative Models
    /// Denoise", Li and He 2025, whose x-prediction with a velocity loss this follows).
    /// </summary>
    Clean,
}
