namespace NpEdit.Transforms.Sampling;

/// <summary>
/// Time grids for flow sampling (t = 1 is noise, t = 0 is data). A time shift s maps t to s·t / (1 + (s − 1)·t),
/// spending more steps near the noisy end; with s = 6, four uniform steps {1, .75, .5, .25} become
/// {1, 0.9474, 0.8571, 0.6667}, the schedule of the NP-Edit reimplementation.
/// </summary>
public static class FlowSchedule
{
    public static double Shift(double t, double shift) => shift * t / (1.0 + (shift - 1.0) * t);

    /// <summary><paramref name="steps"/> + 1 times from 1 down to 0 (the last is always exactly 0).</summary>
    public static double[] Timesteps(int steps, double shift)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), "At least one step is needed.");
        var times = new double[steps + 1];
        for (int i = 0; i < steps; i++) times[i] = Shift(1.0 - (double)i / steps, shift);
        times[steps] = 0.0;
        return times;
    }

    /// <summary>Checks an explicit grid: starts at 1, strictly decreasing, ends at 0.</summary>
    public static double[] Validate(IReadOnlyList<double> times)
    {
        if (times.Count < 2 || Math.Abs(times[0] - 1.0) > 1e-9 || times[^1] != 0.0)
            throw new ArgumentException("A time grid must start at 1 and end at 0.");
        for (int i = 1; i < times.Count; i++)
        {
            if (times[i] >= times[i - 1]) throw new ArgumentException($"Time grid must strictly decrease (index {i}).");
        }
        return times.ToArray();
    }
}
