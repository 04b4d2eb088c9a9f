using System.Text.RegularExpressions;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// How a caption names an object ("a large cyan ring in the middle left": size, colour, shape, place) and how the
/// VLM is asked about one attribute at a time, for <see cref="ObjectPhraseVerifier"/>. The questions are the ones the
/// VLM learned to answer: a shape asked by place, a colour asked of a shape.
/// </summary>
public sealed class ObjectPhraseGrammar
{
    public ObjectPhraseGrammar(string name, IReadOnlyList<string> sizes, IReadOnlyList<string> colors, IReadOnlyList<string> shapes,
        IReadOnlyList<string> places, Func<string, string, string> shapeQuestion, Func<string, string, string> colorQuestion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Sizes = Checked(sizes, nameof(sizes));
        Colors = Checked(colors, nameof(colors));
        Shapes = Checked(shapes, nameof(shapes));
        Places = Checked(places, nameof(places));
        ShapeQuestion = shapeQuestion ?? throw new ArgumentNullException(nameof(shapeQuestion));
        ColorQuestion = colorQuestion ?? throw new ArgumentNullException(nameof(colorQuestion));
        // Longest alternatives first, so that "top middle" is never read as a shorter place.
        Phrase = new Regex($@"\b({Alternatives(Sizes)}) ({Alternatives(Colors)}) ({Alternatives(Shapes)}) in the ({Alternatives(Places)})\b",
            RegexOptions.CultureInvariant);
    }

    /// <summary>What a saved verification names the grammar by.</summary>
    public string Name { get; }
    public IReadOnlyList<string> Sizes { get; }
    public IReadOnlyList<string> Colors { get; }
    public IReadOnlyList<string> Shapes { get; }
    public IReadOnlyList<string> Places { get; }
    /// <summary>(place, shape) to a Yes/No question: is the object at this place this shape?</summary>
    public Func<string, string, string> ShapeQuestion { get; }
    /// <summary>(shape, colour) to a Yes/No question: is the object of this shape this colour?</summary>
    public Func<string, string, string> ColorQuestion { get; }
    /// <summary>One object phrase; groups 1-4 are size, colour, shape and place.</summary>
    public Regex Phrase { get; }

    private static IReadOnlyList<string> Checked(IReadOnlyList<string> words, string name)
    {
        ArgumentNullException.ThrowIfNull(words, name);
        if (words.Count == 0 || words.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("A word list needs at least one non-empty word.", name);
        return words.ToArray();
    }

    private static string Alternatives(IEnumerable<string> words) =>
        string.Join("|", words.OrderByDescending(w => w.Length).Select(Regex.Escape));
}
