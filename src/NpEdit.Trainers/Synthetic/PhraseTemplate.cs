using System.Text.RegularExpressions;

namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// A phrasing with named slots, e.g. <c>"make the {shape} {color}"</c>. <paramref name="Id"/> is stable (rows record
/// which template made them); <paramref name="HeldOut"/> templates are never used by <see cref="WorldSplit.Train"/>.
/// Filling fixes the article ("a orange" becomes "an orange") so templates can be written with "a" throughout.
/// </summary>
public sealed partial record PhraseTemplate(string Id, string Pattern, bool HeldOut = false)
{
    public IReadOnlyList<string> Slots => SlotPattern().Matches(Pattern).Select(m => m.Groups[1].Value).Distinct().ToArray();

    public string Fill(IReadOnlyDictionary<string, string> slots)
    {
        var text = SlotPattern().Replace(Pattern, m => slots.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : throw new ArgumentException($"Template '{Id}' needs slot '{m.Groups[1].Value}'.", nameof(slots)));
        return ArticleBeforeVowel().Replace(text, "an ");
    }

    /// <summary>True when <paramref name="text"/> could have been produced by this template (any slot values).</summary>
    public bool Matches(string text) => ToRegex().IsMatch(text);

    /// <summary>The slot values that make this template produce <paramref name="text"/>, or null when it cannot.</summary>
    public IReadOnlyDictionary<string, string>? Match(string text)
    {
        var match = ToRegex().Match(text);
        if (!match.Success) return null;
        return Slots.ToDictionary(slot => slot, slot => match.Groups[slot].Value);
    }

    /// <summary>An anchored regex for the template: each slot is a named group matching any non-empty text, "a" also matches "an".</summary>
    public Regex ToRegex() => Compiled.GetOrAdd(Pattern, BuildRegex);

    // Templates are few and matched often (tests, evaluation): build each pattern's regex once.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex> Compiled = new();

    private static Regex BuildRegex(string pattern)
    {
        var parts = SlotPattern().Split(pattern);
        var seen = new HashSet<string>();
        // Split with one capture group alternates literal, slot name, literal, ...; a repeated slot back-references its group.
        var regex = string.Concat(parts.Select((part, i) => i % 2 == 1
            ? (seen.Add(part) ? $"(?<{part}>.+?)" : $"\\k<{part}>")
            : ArticleWord().Replace(Regex.Escape(part), "an?")));
        return new Regex("^" + regex + "$", RegexOptions.CultureInvariant);
    }

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex SlotPattern();

    [GeneratedRegex(@"\ba (?=[aeiou])")]
    private static partial Regex ArticleBeforeVowel();

    [GeneratedRegex(@"\ba\b")]
    private static partial Regex ArticleWord();
}
