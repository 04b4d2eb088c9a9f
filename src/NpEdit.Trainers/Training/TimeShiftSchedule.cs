namespace NpEdit.Trainers.Training;

/// <summary>
/// The training-time shift as a function of the step: geometric interpolation from <c>Start</c> at step 0 to
/// <c>End</c> at the last step. Why a curriculum: early training must first learn the layout, which is decided at
/// high noise (a large shift), and the fine shape of a small object is only learnt at low noise (no shift); the
/// shipped prior got there in stages (shift 3, then 1). Measured from scratch (docs/models.md, fifteenth session), a
/// fall from 3 to 1 stops the run seeing high noise before the layout is learnt, and it places objects at chance: use
/// it to continue a prior that already has its layout. A pure function of the step, so a resumed run needs no state.
/// </summary>
public sealed record TimeShiftSchedule(double Start, double End, long TotalSteps)
{
    public double At(long step)
    {
        if (Start <= 0 || End <= 0) throw new ArgumentOutOfRangeException(nameof(Start), $"Time shifts must be positive, got {Start} and {End}.");
        if (Start == End || TotalSteps <= 1) return Start;
        double progress = Math.Clamp((double)step / (TotalSteps - 1), 0.0, 1.0);
        return Math.Exp(Math.Log(Start) + (Math.Log(End) - Math.Log(Start)) * progress);
    }
}
