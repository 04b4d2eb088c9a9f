using System.Text.RegularExpressions;
using NpEdit.Transforms.Imaging;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Checks each object a writer put in its caption against the same VLM's Yes/No answers about the source image, and
/// corrects a shape or colour word that the answers clearly reject (chain-of-verification, Dhuliawala et al. 2023).
/// Why: a writer decodes "cyan" and then the shape, and having never written "cyan ring" in training it writes "cyan
/// square" for a cyan ring; asked "is the object in the middle left a ring?" the same VLM says yes (it reads every
/// held-out ring and colour right that way: 51 of 51, 44 of 44), because a question names one attribute and asks about
/// another, which training did teach. A word is replaced only when (1) the answers reject it (P(Yes) below
/// <see cref="Reject"/>) and accept another (at least <see cref="Accept"/>), and (2) the instruction does not name it,
/// since an edit may make exactly the word the instruction asks for. A colour is asked of its shape ("is the ring
/// cyan?"), so it is checked only where that shape is confirmed at the phrase's place and named once in the caption.
/// </summary>
public sealed class ObjectPhraseVerifier
{
    private const int QueriesPerForward = 512;

    public ObjectPhraseVerifier(ObjectPhraseGrammar grammar, double accept = 0.9, double reject = 0.5)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        if (accept is <= 0 or > 1 || double.IsNaN(accept)) throw new ArgumentOutOfRangeException(nameof(accept), accept, "Accept is a probability above 0.");
        if (reject is < 0 or >= 1 || double.IsNaN(reject) || reject > accept) throw new ArgumentOutOfRangeException(nameof(reject), reject, "Reject is a probability below 1 and at most accept.");
        Grammar = grammar;
        Accept = accept;
        Reject = reject;
    }

    public ObjectPhraseGrammar Grammar { get; }
    /// <summary>P(Yes) at or above which an answer confirms a word.</summary>
    public double Accept { get; }
    /// <summary>P(Yes) below which an answer rejects the word the writer wrote.</summary>
    public double Reject { get; }

    /// <summary>The captions with rejected words corrected, one per (source image, instruction, caption), in order.</summary>
    public IReadOnlyList<string> Verify(YesNoScorer scorer, IReadOnlyList<RgbImage> sources, IReadOnlyList<string> instructions, IReadOnlyList<string> captions)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count != captions.Count) throw new ArgumentException("One source image per caption is needed.", nameof(sources));
        if (captions.All(c => !Grammar.Phrase.IsMatch(c))) return captions.ToArray();
        using var scope = NewDisposeScope();
        var features = scorer.EncodeImages(ImageTensors.ToBatch(sources, scorer.Device));
        // One view per source image, shared by all of its questions (a row is asked about 13 times per object).
        var images = Enumerable.Range(0, sources.Count).Select(i => JudgeImage.FromFeatures(features[i])).ToArray();
        return Verify(instructions, captions, queries =>
        {
            var answers = new float[queries.Count];
            for (int start = 0; start < queries.Count; start += QueriesPerForward)
            {
                using var chunk = NewDisposeScope();
                var part = queries.Skip(start).Take(QueriesPerForward).Select(q => new JudgeQuery(q.Question, images[q.Row])).ToList();
                scorer.ProbabilityYes(part).CopyTo(answers, start);
            }
            return answers;
        });
    }

    /// <summary>The same, with the answers from <paramref name="answer"/>: P(Yes) of each (row, question), in order.</summary>
    internal IReadOnlyList<string> Verify(IReadOnlyList<string> instructions, IReadOnlyList<string> captions,
        Func<IReadOnlyList<(int Row, string Question)>, float[]> answer)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        ArgumentNullException.ThrowIfNull(captions);
        if (instructions.Count != captions.Count) throw new ArgumentException("One instruction per caption is needed.", nameof(instructions));
        var phrases = captions.Select(c => Grammar.Phrase.Matches(c).Select(m => new Phrase(m)).ToArray()).ToArray();
        var named = instructions.Select(InstructionWords).ToArray();

        // Shapes first, asked by place: the answer does not depend on any other word the writer wrote.
        var shapeQueries = new List<(int Row, string Question)>();
        foreach (var (row, p) in All(phrases))
        {
            shapeQueries.AddRange(Grammar.Shapes.Select(s => (row, Grammar.ShapeQuestion(p.Place, s))));
        }
        var shapeAnswers = answer(shapeQueries);
        int next = 0;
        foreach (var (row, p) in All(phrases))
        {
            var yes = shapeAnswers.AsSpan(next, Grammar.Shapes.Count).ToArray();
            next += Grammar.Shapes.Count;
            p.Shape = Decide(p.Shape, Grammar.Shapes, yes, named[row]);
            p.ShapeConfirmed = yes[IndexOf(Grammar.Shapes, p.Shape)] >= Accept;
        }

        // Colours, asked of a shape: only where that shape is confirmed at this place and no other phrase names it.
        var colorPhrases = All(phrases).Where(x => x.Phrase.ShapeConfirmed && phrases[x.Row].Count(o => o.Shape == x.Phrase.Shape) == 1).ToList();
        var colorAnswers = answer(colorPhrases.SelectMany(x => Grammar.Colors.Select(c => (x.Row, Grammar.ColorQuestion(x.Phrase.Shape, c)))).ToList());
        next = 0;
        foreach (var (row, p) in colorPhrases)
        {
            p.Color = Decide(p.Color, Grammar.Colors, colorAnswers.AsSpan(next, Grammar.Colors.Count).ToArray(), named[row]);
            next += Grammar.Colors.Count;
        }

        return captions.Select((caption, row) => Rewrite(caption, phrases[row])).ToArray();
    }

    private string Decide(string written, IReadOnlyList<string> words, float[] yes, IReadOnlySet<string> named)
    {
        int best = Array.IndexOf(yes, yes.Max());
        int own = IndexOf(words, written);
        bool rejected = yes[own] < Reject && yes[best] >= Accept && best != own;
        return rejected && !named.Contains(written) ? words[best] : written;
    }

    private static int IndexOf(IReadOnlyList<string> words, string word)
    {
        for (int i = 0; i < words.Count; i++)
        {
            if (words[i] == word) return i;
        }
        throw new InvalidOperationException($"'{word}' is not a word of the grammar.");
    }

    private static IEnumerable<(int Row, Phrase Phrase)> All(Phrase[][] phrases) =>
        phrases.SelectMany((row, r) => row.Select(p => (r, p)));

    private static IReadOnlySet<string> InstructionWords(string instruction) =>
        Regex.Matches((instruction ?? string.Empty).ToLowerInvariant(), @"\p{L}+").Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

    private static string Rewrite(string caption, Phrase[] phrases)
    {
        // Right to left, so that earlier indices stay valid when a replacement changes the length.
        foreach (var p in phrases.OrderByDescending(p => p.Index))
        {
            caption = caption[..p.Index] + $"{p.Size} {p.Color} {p.Shape} in the {p.Place}" + caption[(p.Index + p.Length)..];
        }
        return caption;
    }

    private sealed class Phrase(Match m)
    {
        public int Index { get; } = m.Index;
        public int Length { get; } = m.Length;
        public string Size { get; } = m.Groups[1].Value;
        public string Color { get; set; } = m.Groups[2].Value;
        public string Shape { get; set; } = m.Groups[3].Value;
        public string Place { get; } = m.Groups[4].Value;
        public bool ShapeConfirmed { get; set; }
    }
}
