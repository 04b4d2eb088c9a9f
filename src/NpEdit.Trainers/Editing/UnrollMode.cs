namespace NpEdit.Trainers.Editing;

/// <summary>How the generator is unrolled during training (ALGORITHM.md, training step 1).</summary>
public enum UnrollMode
{
    /// <summary>Noise → x̂0 at t = 1, re-noise to an intermediate time of the schedule, denoise again; gradients
    /// through both calls. A fraction of steps (<c>OneStepProbability</c>) use the plain one-step case.</summary>
    TwoStep,
    /// <summary>Always one call from pure noise (ablation).</summary>
    OneStep,
}
