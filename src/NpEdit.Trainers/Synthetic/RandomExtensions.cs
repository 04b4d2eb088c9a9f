namespace NpEdit.Trainers.Synthetic;

/// <summary>Small draws every sampler needs, kept in one place so all of them consume the stream the same way.</summary>
internal static class RandomExtensions
{
    public static T Pick<T>(this Random rng, IReadOnlyList<T> items)
    {
        if (items.Count == 0) throw new ArgumentException("Cannot pick from an empty list.", nameof(items));
        return items[rng.Next(items.Count)];
    }

    public static bool Coin(this Random rng) => rng.Next(2) == 1;

    public static float Uniform(this Random rng, float min, float max) => (float)(min + rng.NextDouble() * (max - min));

    /// <summary>A uniformly random permutation of the items (Fisher-Yates).</summary>
    public static T[] Shuffled<T>(this Random rng, IEnumerable<T> items)
    {
        var array = items.ToArray();
        for (int i = array.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (array[i], array[j]) = (array[j], array[i]);
        }
        return array;
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    public static double Gaussian(this Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
