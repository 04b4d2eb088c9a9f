using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Expectation over transformation (Athalye et al. 2018): several randomly perturbed copies of each image, with the
/// gradient flowing back to the original through every perturbation. A loss averaged over the copies rewards only
/// changes that survive a pixel shift, blur, noise and colour jitter. Why: our judges' raw pixel gradient is mostly
/// adversarial (docs/judge.md, the gradient check), and fine pixel patterns that fool the judge rarely survive a
/// 1-pixel shift or a blur, while a real edit (a new colour, an object) does.
/// </summary>
public static class AugmentedCopies
{
    /// <summary>The augmentation used for the copies: the judge's training augmentation, always on.</summary>
    public static JudgeAugmentation Default { get; } = new() { Probability = 1 };

    /// <param name="images"><c>[N,3,H,W]</c> in [-1, 1], usually requiring grad.</param>
    /// <param name="copies">Copies per image; 0 returns the images unchanged.</param>
    /// <returns><c>[copies*N,3,H,W]</c>: copy k of image i at row <c>k*N+i</c>.</returns>
    public static Tensor Make(Tensor images, int copies, JudgeAugmentation augmentation, Random random, Generator generator)
    {
        if (copies <= 0) return images;
        using var scope = NewDisposeScope();
        var parts = Enumerable.Range(0, copies).Select(_ => augmentation.Apply(images, random, generator)).ToArray();
        return torch.cat(parts, 0).MoveToOuterDisposeScope();
    }
}
