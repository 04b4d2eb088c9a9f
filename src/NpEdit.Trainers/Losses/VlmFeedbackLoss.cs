using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Losses;

/// <summary>
/// NP-Edit's VLM feedback loss for one batch of questions. For each question with correct answer a:
/// binary form −log σ(τ·(ℓ_a − ℓ_ā)) over just the Yes/No logits, or the full-vocabulary cross-entropy of the
/// answer token (ablation). Returns the mean over questions.
/// </summary>
public static class VlmFeedbackLoss
{
    /// <param name="yes">[B] logits of "Yes" at the answer position.</param>
    /// <param name="no">[B] logits of "No".</param>
    /// <param name="full">[B, V] full answer-position logits (used by <see cref="VlmLossKind.FullVocabulary"/>).</param>
    /// <param name="expectYes">[B] boolean: the answer a correct edit earns.</param>
    /// <param name="temperature">Logit scale τ.</param>
    /// <param name="yesId">Vocabulary id of "Yes" (full-vocabulary form).</param>
    /// <param name="noId">Vocabulary id of "No".</param>
    public static Tensor Compute(Tensor yes, Tensor no, Tensor full, Tensor expectYes, double temperature, VlmLossKind kind, long yesId, long noId)
    {
        using var scope = NewDisposeScope();
        Tensor loss;
        if (kind == VlmLossKind.YesNoBinary)
        {
            var sign = expectYes.to(ScalarType.Float32).Mul(2).Sub(1);        // +1 when Yes is correct, −1 when No is
            var margin = yes.sub(no).mul(sign).Mul(temperature);
            loss = margin.neg().Softplus().mean();                              // softplus(−m) = −log σ(m), stable
        }
        else
        {
            var targets = torch.where(expectYes, torch.tensor(yesId, device: yes.device), torch.tensor(noId, device: yes.device));
            loss = nn.functional.cross_entropy(full.Mul(temperature), targets);
        }
        return loss.MoveToOuterDisposeScope();
    }
}
