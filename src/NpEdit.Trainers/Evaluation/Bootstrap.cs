namespace NpEdit.Trainers.Evaluation;

/// <summary>A point estimate with a 95% bootstrap confidence interval.</summary>
public sealed record Estimate(double Value, double Low, double High)
{
    public bool Overlaps(Estimate other) => Low <= other.High && other.Low <= High;
    public override string ToString() => $"{Value:F3} [{Low:F3}, {High:F3}]";
}

/// <summary>Percentile bootstrap (resampling rows with replacement, seeded, so intervals are reproducible).</summary>
public static class Bootstrap
{
    public static Estimate Mean(IReadOnlyList<double> values, int resamples = 1000, int seed = 17)
    {
        if (values.Count == 0) return new Estimate(double.NaN, double.NaN, double.NaN);
        var rng = new Random(seed);
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < values.Count; i++) sum += values[rng.Next(values.Count)];
            means[r] = sum / values.Count;
        }
        Array.Sort(means);
        return new Estimate(values.Average(), Percentile(means, 0.025), Percentile(means, 0.975));
    }

    /// <summary>
    /// Bootstraps any statistic of index resamples (e.g. a Fréchet distance over two sets). A resample with
    /// replacement repeats rows, and statistics such as a Fréchet distance rise with repeats (fewer distinct rows
    /// estimate the covariances worse), so the resampled values sit above the point estimate and a plain percentile
    /// interval can exclude it. The interval is therefore the resampled values' 2.5-97.5 % spread, moved so that
    /// their median sits on the point estimate: it says how much the estimate varies from sample to sample, which is
    /// what comparing rows of equal size needs (they share the same finite-sample bias).
    /// </summary>
    public static Estimate Statistic(int count, Func<int[], double> statistic, int resamples = 200, int seed = 17)
    {
        var rng = new Random(seed);
        var values = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            var index = new int[count];
            for (int i = 0; i < count; i++) index[i] = rng.Next(count);
            values[r] = statistic(index);
        }
        Array.Sort(values);
        double point = statistic(Enumerable.Range(0, count).ToArray());
        double shift = point - Percentile(values, 0.5);
        return new Estimate(point, Percentile(values, 0.025) + shift, Percentile(values, 0.975) + shift);
    }

    private static double Percentile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position), upper = (int)Math.Ceiling(position);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }
}
