using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Projected gradient ascent (PGD, Madry et al. 2018): the images within an L-infinity ball of radius epsilon around
/// the given ones that most increase a loss. A judge trained on such images with their true answers learns to
/// ignore small pixel patterns. Why: descending our judges' answer loss on an image raises P(correct) with pixel
/// changes the oracle cannot see (docs/judge.md, the gradient check), and an editor trained against such a judge
/// learns those patterns instead of the edit.
/// </summary>
public static class AdversarialImages
{
    /// <param name="images">Pixels in [-1, 1]; not modified.</param>
    /// <param name="loss">The loss to increase, as a scalar function of the images.</param>
    /// <param name="epsilon">Largest change of any pixel value (the range is 2 wide).</param>
    /// <param name="steps">Signed-gradient steps of 2.5 epsilon / steps each, projected back into the ball after each.</param>
    /// <returns>The perturbed images, detached, clamped to [-1, 1].</returns>
    public static Tensor Perturb(Tensor images, Func<Tensor, Tensor> loss, double epsilon, int steps)
    {
        if (steps <= 0 || epsilon <= 0) return images.detach();
        double stepSize = 2.5 * epsilon / steps;
        var clean = images.detach();
        var delta = torch.zeros_like(clean);
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var x = clean.Add(delta).Clamp(-1, 1).requires_grad_(true);
            var grad = torch.autograd.grad(new[] { loss(x) }, new[] { x })[0];
            var next = delta.Add(grad.sign().Mul(stepSize)).Clamp(-epsilon, epsilon).detach();
            delta = next.MoveToOuterDisposeScope();
        }
        return clean.Add(delta).Clamp(-1, 1).detach();
    }
}
