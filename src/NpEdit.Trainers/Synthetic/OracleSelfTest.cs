using System.Diagnostics;

namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Checks the oracle against the world's own ground truth: for <c>count</c> edit rows, parse the rendered source
/// clean and degraded (<see cref="ImageDegradation.BlurAndNoise"/>), score the rendered and the degraded target
/// with <see cref="EditMetrics"/> (both should be Exact), and score a copy of the source (it should fail every edit
/// but do-nothing). Rows are independent and run in parallel; results do not depend on the thread count.
/// </summary>
public static class OracleSelfTest
{
    private const int MaxFailuresListed = 10;

    public static OracleReport Run(int count, int seed = 0, int size = SceneRenderer.DefaultSize, double sigma = 0.05, WorldSplit split = WorldSplit.Eval)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var clock = Stopwatch.StartNew();
        var rows = new RowResult[count];
        Parallel.For(0, count, i => rows[i] = RunRow(seed, i, size, sigma, split));
        var categories = Enum.GetValues<EditType>()
            .Select(t => (Type: t, Rows: rows.Where(r => r.Type == t).ToArray()))
            .Where(g => g.Rows.Length > 0)
            .Select(g => new OracleCategoryReport(g.Type, g.Rows.Length,
                Fraction(g.Rows, r => r.ExactClean), Fraction(g.Rows, r => r.ExactNoisy),
                Fraction(g.Rows, r => r.CopySuccess), g.Rows.Average(r => r.PsnrNoisy)))
            .ToArray();
        var failures = rows.Where(r => r.Failure is not null).Select(r => r.Failure!).Take(MaxFailuresListed).ToArray();
        return new OracleReport(count, size, sigma, Fraction(rows, r => r.SourceClean), Fraction(rows, r => r.SourceNoisy),
            categories, failures, clock.Elapsed.TotalSeconds);
    }

    private sealed record RowResult(EditType Type, bool SourceClean, bool SourceNoisy, bool ExactClean, bool ExactNoisy, bool CopySuccess, double PsnrNoisy, string? Failure);

    private static RowResult RunRow(int seed, long index, int size, double sigma, WorldSplit split)
    {
        var edit = WorldRows.Edit(seed, index, split);
        var noise = WorldSeeds.ForRow(seed, index, split, WorldSeeds.Stream.Check);
        var source = SceneRenderer.Render(edit.Source, size);
        var target = SceneRenderer.Render(edit.Target, size);
        var noisySource = ImageDegradation.BlurAndNoise(source, sigma, noise);
        var noisyTarget = ImageDegradation.BlurAndNoise(target, sigma, noise);

        bool sourceClean = SceneParser.Parse(source).SameContent(edit.Source);
        var parsedNoisy = SceneParser.Parse(noisySource);
        bool sourceNoisy = parsedNoisy.SameContent(edit.Source);
        var clean = EditMetrics.Evaluate(target, edit.Source, edit.Target, edit.EditType);
        var noisy = EditMetrics.Evaluate(noisyTarget, edit.Source, edit.Target, edit.EditType);
        var copy = EditMetrics.Evaluate(source, edit.Source, edit.Target, edit.EditType);

        string? failure = null;
        if (!sourceClean) failure = $"row {index} clean: \"{edit.Source}\" parsed as \"{SceneParser.Parse(source)}\"";
        else if (!sourceNoisy) failure = $"row {index} noisy: \"{edit.Source}\" parsed as \"{parsedNoisy}\"";
        else if (!noisy.Exact) failure = $"row {index} noisy {edit.EditType} target: \"{edit.Target}\" parsed as \"{noisy.Parsed}\"";
        return new RowResult(edit.EditType, sourceClean, sourceNoisy, clean.Exact, noisy.Exact, copy.EditSuccess,
            EditMetrics.Psnr(noisyTarget, target), failure);
    }

    private static double Fraction<T>(IReadOnlyCollection<T> rows, Func<T, bool> predicate) =>
        rows.Count == 0 ? 0 : rows.Count(predicate) / (double)rows.Count;
}
