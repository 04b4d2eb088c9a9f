namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// What <see cref="WorldSplit.Train"/> never produces, so evaluation can measure generalisation: four colour/shape
/// combinations (10% of the 40) and at least one phrasing template per caption, instruction and question category.
/// Every held-out colour and shape still appears in training in other combinations. Train scenes containing a
/// held-out combination are resampled, and edits that would create one are not chosen.
/// </summary>
public static class HeldOut
{
    public static IReadOnlyList<(ShapeKind Shape, PaletteColor Color)> Combinations { get; } =
    [
        (ShapeKind.Star, Palette.Purple),
        (ShapeKind.Triangle, Palette.Orange),
        (ShapeKind.Ring, Palette.Cyan),
        (ShapeKind.Square, Palette.Pink),
    ];

    public static bool IsHeldOut(ShapeKind shape, PaletteColor color) => Combinations.Contains((shape, color));

    public static bool IsHeldOut(SceneObject o) => IsHeldOut(o.Shape, o.Color);

    public static bool ContainsHeldOutCombination(Scene scene) => scene.Objects.Any(IsHeldOut);

    /// <summary>Whether a split may show this colour on this shape.</summary>
    public static bool Allows(WorldSplit split, ShapeKind shape, PaletteColor color) =>
        split == WorldSplit.Eval || !IsHeldOut(shape, color);

    /// <summary>Ids of every held-out template (captions, instructions, questions).</summary>
    public static IReadOnlySet<string> TemplateIds { get; } = WorldVocabulary.AllTemplates()
        .Where(t => t.HeldOut).Select(t => t.Id).ToHashSet();

    public static bool IsHeldOutTemplate(string id) => TemplateIds.Contains(id);

    /// <summary>The templates a split may use out of a list.</summary>
    public static IReadOnlyList<T> Usable<T>(IReadOnlyList<T> templates, Func<T, PhraseTemplate> phrase, WorldSplit split) =>
        split == WorldSplit.Eval ? templates : templates.Where(t => !phrase(t).HeldOut).ToArray();

    public static IReadOnlyList<PhraseTemplate> Usable(IReadOnlyList<PhraseTemplate> templates, WorldSplit split) =>
        Usable(templates, t => t, split);
}
