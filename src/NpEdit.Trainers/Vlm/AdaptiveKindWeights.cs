using System.Globalization;
using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Kind weights that follow each kind's running training error: a moving average, per question answered, of whether
/// the judge got it wrong (before the step's update), starting at chance (0.5). A kind weighs its error, never less
/// than a floor, so kinds still being learnt fill the batches and learnt ones keep a small share that notices if they
/// are forgotten. Why: with fixed shares or fixed-length stages, whichever group of kinds the decoder learns first holds
/// the other back, and which group that is changed with the seed (docs/judge.md, twentieth session); weights that follow
/// the errors favour whichever group is behind, in every run. The state is part of a checkpoint (<see cref="Save"/>),
/// so a resumed run draws the same batches.
/// </summary>
public sealed class AdaptiveKindWeights
{
    public const double InitialError = 0.5;
    private const string StatePrefix = "kind_error.";
    private readonly SortedDictionary<string, double> _errors = new(StringComparer.Ordinal);

    public AdaptiveKindWeights(double decay, double floor)
    {
        if (!(decay > 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "The error average's decay must lie strictly between 0 and 1.");
        if (!(floor > 0 && floor <= InitialError)) throw new ArgumentOutOfRangeException(nameof(floor), floor, $"The weight floor must lie in (0, {InitialError}].");
        Decay = decay;
        Floor = floor;
    }

    public double Decay { get; }
    public double Floor { get; }

    public double ErrorOf(string kind) => _errors.TryGetValue(kind, out var e) ? e : InitialError;

    public double WeightOf(string kind) => Math.Max(Floor, ErrorOf(kind));

    /// <summary>One step's answers: each moves its kind's average by (1 - decay) towards 1 (wrong) or 0 (right).</summary>
    public void Add(IReadOnlyList<string> kinds, IReadOnlyList<bool> correct)
    {
        if (kinds.Count != correct.Count) throw new ArgumentException($"{kinds.Count} kinds for {correct.Count} answers.", nameof(correct));
        for (int i = 0; i < kinds.Count; i++)
        {
            if (string.IsNullOrEmpty(kinds[i])) continue;
            _errors[kinds[i]] = Decay * ErrorOf(kinds[i]) + (1 - Decay) * (correct[i] ? 0.0 : 1.0);
        }
    }

    /// <summary>
    /// A key filter for <see cref="Training.RowStream{TRow}"/>: kinds outside <paramref name="allowed"/> (when given) are
    /// never taken, the others with chance weight / largest weight among the kinds that can be taken, where a kind's
    /// weight is its <see cref="WeightOf"/> times its weight in <paramref name="fixedWeights"/> (when given).
    /// </summary>
    public Func<string, bool> Filter(IReadOnlyCollection<string>? allowed, KindWeights? fixedWeights, Random random)
    {
        double Weight(string kind) => WeightOf(kind) * (fixedWeights?.WeightOf(kind) ?? 1.0);
        // A snapshot: the rows of one step are all drawn with the weights the step began with.
        var weights = QuestionKinds.JudgeRows.Concat(_errors.Keys).Distinct(StringComparer.Ordinal)
            .Where(k => allowed is null || allowed.Contains(k))
            .ToDictionary(k => k, Weight, StringComparer.Ordinal);
        double largest = weights.Count == 0 ? 1.0 : weights.Values.Max();
        return kind => (allowed is null || allowed.Contains(kind))
            && random.NextDouble() * largest < (weights.TryGetValue(kind, out var w) ? w : Weight(kind));
    }

    /// <summary>The averages as checkpoint state entries (round-trip text, so a resume is bit-identical).</summary>
    public IEnumerable<KeyValuePair<string, string>> Save() =>
        _errors.Select(kv => KeyValuePair.Create(StatePrefix + kv.Key, kv.Value.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>Replaces the averages with those in a checkpoint's state (kinds it does not name start at chance again);
    /// <paramref name="source"/> names the state's file in errors.</summary>
    public void Load(IReadOnlyDictionary<string, string> state, string source)
    {
        _errors.Clear();
        foreach (var (key, value) in state)
        {
            if (!key.StartsWith(StatePrefix, StringComparison.Ordinal)) continue;
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var error) || !(error >= 0 && error <= 1))
                throw new FormatException($"{source}: '{key}' = '{value}' is not an error rate in [0, 1].");
            _errors[key[StatePrefix.Length..]] = error;
        }
    }

    /// <summary>"kind=weight" for every kind seen so far, in name order.</summary>
    public override string ToString() =>
        string.Join(" ", _errors.Keys.Select(k => $"{k}={WeightOf(k).ToString("F2", CultureInfo.InvariantCulture)}"));
}
