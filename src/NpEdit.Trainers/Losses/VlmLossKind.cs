namespace NpEdit.Trainers.Losses;

/// <summary>How the judge's answer logits become a loss.</summary>
public enum VlmLossKind
{
    /// <summary>Binary cross-entropy on the Yes/No logit difference: −log σ(τ·(ℓ_correct − ℓ_wrong)) (the paper's choice).</summary>
    YesNoBinary,
    /// <summary>Cross-entropy over the whole vocabulary at the answer position (the paper's ablation).</summary>
    FullVocabulary,
}
