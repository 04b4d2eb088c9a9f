namespace NpEdit.Trainers.Training;

/// <summary>
/// Learning rate with a linear warm-up to the base rate, then a cosine decay to <c>finalRatio</c> times the base
/// rate at the last step. A pure function of the step, so a resumed run needs no scheduler state.
/// </summary>
public sealed record WarmupCosineSchedule(double BaseRate, long TotalSteps, long WarmupSteps, double FinalRatio)
{
    public double At(long step)
    {
        if (step < WarmupSteps) return BaseRate * (step + 1) / WarmupSteps;
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1.0, progress)));
        return BaseRate * (FinalRatio + (1 - FinalRatio) * cosine);
    }
}
