using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// The judge's answer-position logits for a batch of questions: <c>Yes</c> and <c>No</c> are <c>[B]</c>,
/// <c>Full</c> is <c>[B,V]</c> over the whole model vocabulary (for the full-vocabulary CE ablation).
/// The tensors belong to the caller's dispose scope.
/// </summary>
public sealed record YesNoLogits(Tensor Yes, Tensor No, Tensor Full) : IDisposable
{
    /// <summary>P(Yes) restricted to the two answers: <c>sigmoid(yes - no)</c>.</summary>
    public Tensor ProbabilityYes() => Yes.sub(No).sigmoid();

    public void Dispose()
    {
        Yes.Dispose();
        No.Dispose();
        Full.Dispose();
    }
}
