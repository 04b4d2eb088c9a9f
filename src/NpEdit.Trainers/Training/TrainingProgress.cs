namespace NpEdit.Trainers.Training;

/// <summary>A snapshot of a training run, reported after every step through IProgress and to ILogger periodically.</summary>
public sealed record TrainingProgress(
    string Run,
    long Step,
    long TotalSteps,
    IReadOnlyDictionary<string, double> Losses,
    double StepsPerSecond,
    TimeSpan Elapsed,
    TimeSpan? Eta,
    long SkippedSteps)
{
    public double Fraction => TotalSteps == 0 ? 1 : (double)Step / TotalSteps;

    public override string ToString()
    {
        var losses = string.Join(" ", Losses.Select(kv => $"{kv.Key}={kv.Value:G4}"));
        var eta = Eta is { } e ? $" eta {e:hh\\:mm\\:ss}" : "";
        var skipped = SkippedSteps > 0 ? $" skipped {SkippedSteps}" : "";
        return $"{Run} step {Step}/{TotalSteps} {losses} {StepsPerSecond:F2} steps/s{eta}{skipped}";
    }
}
