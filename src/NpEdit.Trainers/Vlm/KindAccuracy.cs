using System.Globalization;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Training-batch accuracy per question kind over a window of steps. Why: a judge's overall accuracy hides which
/// kinds it has learned; the jumps that matter (one kind going from chance to perfect) show only per kind.
/// </summary>
public sealed class KindAccuracy
{
    private readonly SortedDictionary<string, (int Right, int Seen)> _counts = new(StringComparer.Ordinal);

    public void Add(IReadOnlyList<string> kinds, IReadOnlyList<bool> correct)
    {
        if (kinds.Count != correct.Count) throw new ArgumentException($"{kinds.Count} kinds for {correct.Count} answers.", nameof(correct));
        for (int i = 0; i < kinds.Count; i++)
        {
            if (string.IsNullOrEmpty(kinds[i])) continue;
            var (right, seen) = _counts.GetValueOrDefault(kinds[i]);
            _counts[kinds[i]] = (right + (correct[i] ? 1 : 0), seen + 1);
        }
    }

    /// <summary>"kind=accuracy" for every kind seen since the last call, in name order (empty if none), and a fresh window.</summary>
    public string Drain()
    {
        string text = string.Join(" ", _counts.Select(kv => $"{kv.Key}={((double)kv.Value.Right / kv.Value.Seen).ToString("F2", CultureInfo.InvariantCulture)}"));
        _counts.Clear();
        return text;
    }
}
