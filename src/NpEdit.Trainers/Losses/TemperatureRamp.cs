namespace NpEdit.Trainers.Losses;

/// <summary>
/// The logit temperature of the VLM loss, ramped linearly from <see cref="Start"/> to <see cref="End"/> over
/// <see cref="Steps"/> generator steps (0.1 → 1 over 2,000 steps in the reimplementation): early on, a small scale
/// keeps the loss from saturating while the editor's outputs are still far from anything the judge accepts.
/// </summary>
public sealed record TemperatureRamp(double Start = 0.1, double End = 1.0, long Steps = 2000)
{
    public double At(long step) => Steps <= 0 ? End : Start + (End - Start) * Math.Clamp((double)step / Steps, 0.0, 1.0);
}
