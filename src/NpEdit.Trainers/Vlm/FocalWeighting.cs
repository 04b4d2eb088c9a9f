using NpEdit.Transforms.Runtime;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Focal weighting of the judge's per-question answer loss (Lin et al. 2017): each question's loss is multiplied by
/// (1 - p)^gamma, p the judge's probability of the true answer among Yes and No (no gradient through the weight).
/// Why: a judge can settle with a small group of questions confidently wrong while the rest are right. Measured
/// (docs/judge.md): one-hour judges answered "has the color of the circle changed?" Yes for two identical images
/// 0.98-1.00 of the time, about an eighth of that kind's questions, in training as in evaluation, for 6000 steps;
/// the plain mean loss gives those questions the weight of the many already answered.
/// </summary>
public static class FocalWeighting
{
    /// <summary>The weighted mean of <paramref name="perQuestion"/> losses (<c>[N]</c>); the plain mean when gamma is 0.</summary>
    /// <param name="logits">The answer logits, for the weights.</param>
    /// <param name="answers">The true answers (<c>[N]</c>, bool).</param>
    public static Tensor Mean(Tensor perQuestion, YesNoLogits logits, Tensor answers, double gamma)
    {
        if (!(gamma >= 0) || double.IsInfinity(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "The focal gamma must be 0 or more.");
        if (gamma == 0) return perQuestion.mean();
        using var scope = NewDisposeScope();
        Tensor weights;
        using (no_grad())
        {
            // 1 - p(true answer) = sigmoid of the wrong answer's margin.
            var margin = logits.Yes.sub(logits.No);
            var wrong = where(answers, margin.neg(), margin).sigmoid();
            weights = wrong.Pow(gamma).to(perQuestion.dtype).detach();
        }
        return perQuestion.mul(weights).mean().MoveToOuterDisposeScope();
    }
}
