using System.Globalization;
using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Relative shares of question kinds in a judge's batches. The world's rows come in a fixed order with every kind
/// mixed; a kind of weight w is kept with chance w / (largest weight), the rest are passed over on their key alone
/// (rejection sampling), so a kind of weight 3 fills three times its usual share against kinds of weight 1. Kinds not
/// named weigh 1. Why: late in a judge's scene-token steps the single-image kinds are already right 0.99 of the time
/// while the two-image kinds are still learning, and a uniform mix spends most of each batch on what is learnt.
/// </summary>
public sealed class KindWeights
{
    private readonly Dictionary<string, double> _weights;
    private readonly double _largest;

    public KindWeights(IReadOnlyDictionary<string, double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        foreach (var (kind, weight) in weights)
        {
            if (!double.IsFinite(weight) || weight <= 0) throw new ArgumentException($"Kind weight of '{kind}' must be a positive number, not {weight}.", nameof(weights));
        }
        _weights = new Dictionary<string, double>(weights, StringComparer.Ordinal);
        _largest = _weights.Values.Append(1.0).Max();
    }

    public double WeightOf(string kind) => _weights.TryGetValue(kind, out var w) ? w : 1.0;

    /// <summary>
    /// A key filter for <see cref="Training.RowStream{TRow}"/>: kinds outside <paramref name="allowed"/> (when given) are
    /// never taken, the others with chance weight / largest weight, drawn from <paramref name="random"/>.
    /// </summary>
    public Func<string, bool> Filter(IReadOnlyCollection<string>? allowed, Random random) => kind =>
        (allowed is null || allowed.Contains(kind)) && random.NextDouble() * _largest < WeightOf(kind);

    /// <summary>"compare_added=3,compare_removed=3" (the world's question kinds only) to weights.</summary>
    public static KindWeights Parse(string text)
    {
        var known = QuestionKinds.JudgeRows;
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split('=', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var weight))
                throw new ArgumentException($"Kind weight '{item}' is not of the form kind=number.");
            if (!known.Contains(parts[0]))
                throw new ArgumentException($"Kind weight '{item}': unknown question kind '{parts[0]}'; known: {string.Join(", ", known)}.");
            if (!weights.TryAdd(parts[0], weight)) throw new ArgumentException($"Kind '{parts[0]}' is weighted twice.");
        }
        if (weights.Count == 0) throw new ArgumentException("Give at least one kind=weight.");
        return new KindWeights(weights);
    }

    public override string ToString() =>
        string.Join(",", _weights.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value.ToString("G", CultureInfo.InvariantCulture)}"));
}
