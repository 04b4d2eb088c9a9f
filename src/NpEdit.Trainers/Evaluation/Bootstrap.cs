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

    /// <summary>Bootstraps any statistic of index resamples (e.g. a Fréchet distance over two sets).</summary>
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
        return new Estimate(statistic(Enumerable.Range(0, count).ToArray()), Percentile(values, 0.025), Percentile(values, 0.975));
    }

    private static double Percentile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position), upper = (int)Math.Ceiling(position);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }
}
