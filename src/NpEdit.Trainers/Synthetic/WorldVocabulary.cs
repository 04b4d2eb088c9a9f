using System.Text.RegularExpressions;

namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Every word the default world says: the nouns and adjectives for shapes, sizes, colours and cells, all phrasing
/// templates, and the closed word list (<see cref="Words"/>) a small text encoder can be built on.
/// </summary>
public static partial class WorldVocabulary
{
    private static readonly string[,] CellNames =
    {
        { "top left", "top middle", "top right" },
        { "middle left", "center", "middle right" },
        { "bottom left", "bottom middle", "bottom right" },
    };

    private static readonly string[] Numbers = ["zero", "one", "two", "three"];

    public static string ShapeNoun(ShapeKind shape) => shape.ToString().ToLowerInvariant();

    public static string SizeWord(SizeKind size) => size == SizeKind.Large ? "large" : "small";

    /// <summary>"top left", "center", "bottom middle", ... (row 0 is the top).</summary>
    public static string CellName(int row, int col) => CellNames[row, col];

    public static string NumberWord(int n) => n >= 0 && n < Numbers.Length ? Numbers[n] : n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string ObjectNoun(int count) => count == 1 ? "object" : "objects";

    /// <summary>"a large red circle in the top left": how captions name an object.</summary>
    public static string ObjectPhrase(SceneObject o) =>
        $"a {SizeWord(o.Size)} {o.Color.Name} {ShapeNoun(o.Shape)} in the {CellName(o.Row, o.Col)}";

    /// <summary>Every template the world uses: captions, instructions, general and NP-Edit questions.</summary>
    public static IEnumerable<PhraseTemplate> AllTemplates() =>
        CaptionTemplate.All.Select(c => c.Phrase)
            .Concat(InstructionTemplates.All)
            .Concat(QuestionTemplates.All)
            .Concat(NpEditQuestions.Templates);

    /// <summary>Lower-case words and punctuation marks, in the order text reads (see <see cref="Words"/>).</summary>
    public static IReadOnlyList<string> Tokenize(string text) =>
        TokenPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value).ToArray();

    /// <summary>The closed, sorted list of tokens any text of the world is made of (templates plus every slot value).</summary>
    public static IReadOnlyList<string> Words { get; } = BuildWords();

    private static string[] BuildWords()
    {
        var fillers = new List<string>();
        fillers.AddRange(Enum.GetValues<ShapeKind>().Select(ShapeNoun));
        fillers.AddRange(Enum.GetValues<SizeKind>().Select(SizeWord));
        fillers.AddRange(Palette.ObjectColors.Concat(Palette.BackgroundColors).Select(c => c.Name));
        fillers.AddRange(SceneLayout.AllCells().Select(c => CellName(c.Row, c.Col)));
        fillers.AddRange(Numbers);
        fillers.AddRange(["object", "objects", "an", "and", ",", "in the", "bigger", "smaller", "enlarge", "shrink", "plain"]);
        fillers.AddRange(Enum.GetValues<SceneAttribute>().Select(a => AttributePhrase(a, ShapeKind.Circle)));
        return AllTemplates().SelectMany(t => TemplateWords(t.Pattern)).Concat(fillers.SelectMany(Tokenize))
            .Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The words and punctuation a template writes itself, its slots left out.</summary>
    public static IReadOnlyList<string> TemplateWords(string pattern) => Tokenize(TemplateSlot().Replace(pattern, " "));

    /// <summary>"the color of the circle", "the size of the circle", "the position of the circle", "the background color".</summary>
    internal static string AttributePhrase(SceneAttribute attribute, ShapeKind shape) => attribute switch
    {
        SceneAttribute.Color => $"the color of the {ShapeNoun(shape)}",
        SceneAttribute.Size => $"the size of the {ShapeNoun(shape)}",
        SceneAttribute.Position => $"the position of the {ShapeNoun(shape)}",
        _ => "the background color",
    };

    [GeneratedRegex(@"[a-z]+|[^\sa-z]")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"\{[a-z_]+\}")]
    private static partial Regex TemplateSlot();
}
