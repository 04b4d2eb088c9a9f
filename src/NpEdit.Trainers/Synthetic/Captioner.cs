namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Captions of scenes: a canonical one (reading order, one phrasing) and sampled ones over
/// <see cref="CaptionTemplate.All"/>. A source and its edited scene are captioned with the same template and the
/// same object order, so the two captions differ only where the scenes do.
/// </summary>
public static class Captioner
{
    /// <summary>"a large red circle in the top left and a small blue square in the center on a gray background".</summary>
    public static string Canonical(Scene scene) => Describe(scene, CaptionTemplate.Canonical, shapeOrder: null);

    public static string Sample(Scene scene, Random rng, WorldSplit split) => SamplePair(scene, scene, rng, split).Source;

    /// <summary>Captions for a source scene and its edited scene, drawn with one template and one object order.</summary>
    public static CaptionPair SamplePair(Scene source, Scene edited, Random rng, WorldSplit split)
    {
        var template = rng.Pick(HeldOut.Usable(CaptionTemplate.All, t => t.Phrase, split));
        // A random rank per shape (not per object) so an object keeps its place when the edit changes it.
        var order = template.Shuffled ? rng.Shuffled(Enum.GetValues<ShapeKind>()) : null;
        return new CaptionPair(Describe(source, template, order), Describe(edited, template, order), template.Phrase.Id);
    }

    /// <summary>Fills a caption template; with <paramref name="shapeOrder"/> the objects are listed in that shape order, otherwise in reading order.</summary>
    public static string Describe(Scene scene, CaptionTemplate template, IReadOnlyList<ShapeKind>? shapeOrder)
    {
        if (scene.Objects.Count == 0) return $"a plain {scene.Background.Name} background";
        var objects = shapeOrder is null
            ? scene.Objects.OrderBy(o => o.CellIndex)
            : scene.Objects.OrderBy(o => IndexOf(shapeOrder, o.Shape)).ThenBy(o => o.CellIndex);
        var slots = new Dictionary<string, string>
        {
            ["objects"] = JoinList(objects.Select(WorldVocabulary.ObjectPhrase).ToArray()),
            ["bg"] = scene.Background.Name,
            ["count"] = WorldVocabulary.NumberWord(scene.Objects.Count),
            ["noun"] = WorldVocabulary.ObjectNoun(scene.Objects.Count),
        };
        return template.Phrase.Fill(slots);
    }

    /// <summary>"x", "x and y", "x, y and z".</summary>
    internal static string JoinList(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };

    private static int IndexOf(IReadOnlyList<ShapeKind> order, ShapeKind shape)
    {
        for (int i = 0; i < order.Count; i++) if (order[i] == shape) return i;
        return order.Count;
    }
}

/// <summary>The captions of a source and an edited scene, and the id of the template that made both.</summary>
public sealed record CaptionPair(string Source, string Edited, string TemplateId);
