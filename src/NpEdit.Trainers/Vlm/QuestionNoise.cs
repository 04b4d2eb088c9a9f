using System.Text;
using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Word noise on the general questions a judge trains on: each word that carries no answer (not a shape, colour,
/// size, place, number or attribute, nor "first", "second" or "not") is, at a given rate, replaced by another word of
/// the training language, dropped, or followed by an inserted one. Answers stay the same.
/// Why: a judge that knows no language beyond its training questions reads a held-out phrasing ("does the circle look
/// red?") as a question it never saw, and answers it near chance (measured: 0.47 to 0.74 on eight of the twelve kinds);
/// noise on the words that only phrase a question teaches it to answer from the words that carry the answer and from
/// the question's shape (word dropout, Iyyer et al. 2015). The replacement words come from the training split's
/// templates only, so a held-out word is never shown in training, as noise or otherwise.
/// With a made-up share, that share of the inserted and swapped-in words are instead made-up strings of letters that are
/// no word of the world at all (held-out words included). Why: noise drawn from the training words only ever shows the
/// judge words it already reads, while a held-out phrasing brings words it has never read; a judge trained that way
/// answered held-out phrasings whose answer is Yes with No more than half of the time (twenty-second session).
/// </summary>
public sealed class QuestionNoise
{
    private readonly HashSet<string> _protected;
    private readonly string[] _replacements;
    private readonly HashSet<string> _realWords;

    /// <summary>Shortest and longest made-up word, in letters.</summary>
    public const int MadeUpMinLength = 3, MadeUpMaxLength = 8;

    /// <param name="rate">Chance that each unprotected word is changed (0 to 1).</param>
    /// <param name="protectedWords">Words never changed: those the answer depends on.</param>
    /// <param name="replacementWords">Words inserted or swapped in.</param>
    /// <param name="madeUpShare">Chance (0 to 1) that an inserted or swapped-in word is made up instead.</param>
    /// <param name="realWords">Words a made-up word must never be (besides the protected and replacement words).</param>
    public QuestionNoise(double rate, IEnumerable<string> protectedWords, IEnumerable<string> replacementWords,
        double madeUpShare = 0, IEnumerable<string>? realWords = null)
    {
        if (!(rate >= 0 && rate <= 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The question noise rate must be in [0, 1].");
        if (!(madeUpShare >= 0 && madeUpShare <= 1)) throw new ArgumentOutOfRangeException(nameof(madeUpShare), madeUpShare, "The made-up word share must be in [0, 1].");
        Rate = rate;
        MadeUpShare = madeUpShare;
        _protected = protectedWords.Select(w => w.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        _replacements = replacementWords.Select(w => w.ToLowerInvariant()).Where(w => !_protected.Contains(w)).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (rate > 0 && madeUpShare < 1 && _replacements.Length == 0) throw new ArgumentException("Question noise needs at least one replacement word.", nameof(replacementWords));
        _realWords = (realWords ?? []).Select(w => w.ToLowerInvariant()).Concat(_protected).Concat(_replacements).ToHashSet(StringComparer.Ordinal);
    }

    public double Rate { get; }

    public double MadeUpShare { get; }

    /// <summary>Words the shapes world's answers depend on: every slot value's words, and the words that order or negate.</summary>
    public static IReadOnlySet<string> WorldProtectedWords { get; } = BuildWorldProtected();

    /// <summary>The words of the training split's templates (captions, instructions, questions; held-out ones left out).</summary>
    public static IReadOnlyList<string> WorldTrainingWords { get; } = WorldVocabulary.AllTemplates().Where(t => !t.HeldOut)
        .SelectMany(t => WorldVocabulary.TemplateWords(t.Pattern)).Where(w => char.IsAsciiLetterLower(w[0]))
        .Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The shapes world's noise at <paramref name="rate"/>.</summary>
    public static QuestionNoise ForWorld(double rate, double madeUpShare = 0) =>
        new(rate, WorldProtectedWords, WorldTrainingWords, madeUpShare, WorldVocabulary.Words);

    /// <summary>Whether questions of this kind are noised: the general kinds, not NP-Edit's templates (whose quoted
    /// instruction is all answer).</summary>
    public static bool Applies(string kind) =>
        QuestionKinds.SingleImage.Contains(kind, StringComparer.Ordinal) || QuestionKinds.TwoImage.Contains(kind, StringComparer.Ordinal);

    /// <summary>The question with noise; the same question when the rate is 0 or the kind is not noised.</summary>
    public string Apply(string question, string kind, Random random)
    {
        if (Rate == 0 || !Applies(kind)) return question;
        var words = new List<string>();
        foreach (var word in WorldVocabulary.Tokenize(question))
        {
            if (!char.IsAsciiLetterLower(word[0]) || _protected.Contains(word) || random.NextDouble() >= Rate)
            {
                words.Add(word);
                continue;
            }
            switch (random.Next(4))
            {
                case 0: break; // dropped
                case 1: words.Add(word); words.Add(Pick(random)); break;
                default: words.Add(Pick(random)); break;
            }
        }
        return Join(words);
    }

    // The made-up draw comes first and only when the share is above 0, so a share of 0 repeats earlier runs' noise.
    private string Pick(Random random) =>
        MadeUpShare > 0 && (MadeUpShare >= 1 || random.NextDouble() < MadeUpShare) ? MadeUp(random) : _replacements[random.Next(_replacements.Length)];

    /// <summary>A string of lower-case letters that is no word this noise knows of (redrawn until it is not).</summary>
    public string MadeUp(Random random)
    {
        while (true)
        {
            var letters = new char[random.Next(MadeUpMinLength, MadeUpMaxLength + 1)];
            for (int i = 0; i < letters.Length; i++) letters[i] = (char)('a' + random.Next(26));
            var word = new string(letters);
            if (!_realWords.Contains(word)) return word;
        }
    }

    // Words joined by spaces, punctuation attached to the word before it, as the templates write them.
    private static string Join(List<string> words)
    {
        var text = new StringBuilder();
        foreach (var word in words)
        {
            if (text.Length > 0 && char.IsAsciiLetterLower(word[0])) text.Append(' ');
            text.Append(word);
        }
        return text.ToString();
    }

    private static HashSet<string> BuildWorldProtected()
    {
        var values = new List<string>();
        values.AddRange(Enum.GetValues<ShapeKind>().Select(WorldVocabulary.ShapeNoun));
        values.AddRange(Enum.GetValues<SizeKind>().Select(WorldVocabulary.SizeWord));
        values.AddRange(Palette.ObjectColors.Concat(Palette.BackgroundColors).Select(c => c.Name));
        values.AddRange(SceneLayout.AllCells().Select(c => WorldVocabulary.CellName(c.Row, c.Col)));
        values.AddRange(Enumerable.Range(0, 4).Select(WorldVocabulary.NumberWord));
        values.AddRange([WorldVocabulary.ObjectNoun(1), WorldVocabulary.ObjectNoun(2)]);
        values.AddRange(Enum.GetValues<SceneAttribute>().Select(a => WorldVocabulary.AttributePhrase(a, ShapeKind.Circle)));
        values.AddRange(["first", "second", "not"]);
        return values.SelectMany(WorldVocabulary.Tokenize).Where(w => char.IsAsciiLetterLower(w[0]))
            .Except(["the", "of", "in", "a", "an"]).ToHashSet(StringComparer.Ordinal);
    }
}
