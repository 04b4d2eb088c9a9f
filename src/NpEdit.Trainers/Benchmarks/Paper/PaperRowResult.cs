using NpEdit.Trainers.Evaluation;

namespace NpEdit.Trainers.Benchmarks.Paper;

/// <summary>Metrics of one category of one row.</summary>
public sealed record CategoryMetrics(int Count, double EditSuccess, double Preserved, double Exact, double Psnr)
{
    public static CategoryMetrics Of(EditMetricsSummary m) => new(m.Count, m.EditSuccess, m.Preserved, m.Exact, m.Psnr);
}

/// <summary>
/// Everything measured for one row, as cached in <c>result.json</c> and written to <c>docs/results.json</c>.
/// Each metric carries a 95% bootstrap interval over the evaluation rows.
/// </summary>
public sealed record PaperRowResult
{
    public string Name { get; init; } = "";
    public string Label { get; init; } = "";
    public string Kind { get; init; } = "";
    public string PaperRow { get; init; } = "";
    public double? PaperOverall { get; init; }
    public Estimate EditSuccess { get; init; } = new(0, 0, 0);
    public Estimate Preserved { get; init; } = new(0, 0, 0);
    public Estimate Exact { get; init; } = new(0, 0, 0);
    public Estimate Psnr { get; init; } = new(0, 0, 0);
    public Estimate RealismFd { get; init; } = new(0, 0, 0);
    public Dictionary<string, CategoryMetrics> ByCategory { get; init; } = new();
    /// <summary>The same metrics by what training never showed (<see cref="RowNovelty"/>); empty in rows cached before it existed.</summary>
    public Dictionary<string, CategoryMetrics> ByNovelty { get; init; } = new();
    public int EvalCount { get; init; }
    public int SamplingSteps { get; init; }
    public double TrainSeconds { get; init; }
    public long TrainSteps { get; init; }
    public double EvalSeconds { get; init; }
    /// <summary>
    /// The part of <see cref="TrainSeconds"/> spent in the copy warm-up that several rows share (trained once, see
    /// <see cref="PaperRunOptions.ShareWarmup"/>); 0 when the row trained its own.
    /// </summary>
    public double SharedWarmupSeconds { get; init; }
    /// <summary>The row whose trained model this row evaluates (its training time is counted there), if any.</summary>
    public string? ReusesModelOf { get; init; }
    public string? Explanation { get; init; }
}
