namespace NpEdit.Trainers.Vlm;

/// <summary>
/// The edited-caption writer shipped for the default world (<see cref="EditedCaptionWriter"/>): a judge-architecture VLM
/// started from the judge's weights whose decoder was trained, vision frozen, to write the canonical caption of the
/// edited scene from a source image and an instruction (docs/editor.md). It lives in a judge folder.
/// </summary>
public static class ShapesWriter
{
    public const string DefaultFolder = "models/shapes-writer";

    /// <summary>The default world's interchangeable caption words, for <see cref="CaptionNoise"/>: object colours,
    /// background colours, shapes and sizes.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> SwapClasses { get; } =
    [
        Synthetic.Palette.ObjectColors.Select(c => c.Name).ToArray(),
        Synthetic.Palette.BackgroundColors.Select(c => c.Name).ToArray(),
        Enum.GetValues<Synthetic.ShapeKind>().Select(Synthetic.WorldVocabulary.ShapeNoun).ToArray(),
        Enum.GetValues<Synthetic.SizeKind>().Select(Synthetic.WorldVocabulary.SizeWord).ToArray(),
    ];

    /// <summary>The default world's colour words (objects and backgrounds), which a grayscale row of <see cref="CaptionNoise"/> does not score.</summary>
    public static IReadOnlyList<string> ColorWords { get; } =
        Synthetic.Palette.ObjectColors.Concat(Synthetic.Palette.BackgroundColors).Select(c => c.Name).ToArray();

    /// <summary>How the default world's captions name an object, and its questions about one attribute (the
    /// training templates "is the object in the {pos} a {shape}?" and "is the {shape} {color}?"), for <see cref="ObjectPhraseVerifier"/>.</summary>
    public static ObjectPhraseGrammar PhraseGrammar { get; } = BuildGrammar();

    private static ObjectPhraseGrammar BuildGrammar()
    {
        var shapeQuestion = Synthetic.QuestionTemplates.For(Synthetic.QuestionKinds.Shape).Single(t => t.Id == "q.shape.object_in");
        var colorQuestion = Synthetic.QuestionTemplates.For(Synthetic.QuestionKinds.Color).Single(t => t.Id == "q.color.is");
        return new ObjectPhraseGrammar(PhraseGrammarName,
            Enum.GetValues<Synthetic.SizeKind>().Select(Synthetic.WorldVocabulary.SizeWord).ToArray(),
            Synthetic.Palette.ObjectColors.Select(c => c.Name).ToArray(),
            Enum.GetValues<Synthetic.ShapeKind>().Select(Synthetic.WorldVocabulary.ShapeNoun).ToArray(),
            Synthetic.SceneLayout.AllCells().Select(c => Synthetic.WorldVocabulary.CellName(c.Row, c.Col)).ToArray(),
            (place, shape) => shapeQuestion.Fill(new Dictionary<string, string> { ["pos"] = place, ["shape"] = shape }),
            (shape, color) => colorQuestion.Fill(new Dictionary<string, string> { ["shape"] = shape, ["color"] = color }));
    }

    /// <summary>The name a saved verification (<see cref="CaptionVerification"/>) gives <see cref="PhraseGrammar"/>.</summary>
    public const string PhraseGrammarName = "shapes-world";

    /// <summary><paramref name="folder"/> if given, else the shipped writer (<see cref="ShippedModels"/> says where it is looked for).</summary>
    public static string ResolveFolder(string? folder = null) => folder ?? ShippedModels.Find("shapes-writer", "--writer");
}
