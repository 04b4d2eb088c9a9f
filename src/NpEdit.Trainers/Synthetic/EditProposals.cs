namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Chooses the content of an edit of each category, or says it does not apply: remove needs two objects (a scene
/// never goes empty), add needs a free cell and an unused shape (shapes stay distinct), replace needs an unused
/// shape, move goes to an empty cell. In <see cref="WorldSplit.Train"/> no choice may create a held-out
/// colour/shape combination.
/// </summary>
internal static class EditProposals
{
    public static bool Applies(Scene s, EditType type, WorldSplit split) => type switch
    {
        EditType.Remove => s.Objects.Count >= 2,
        EditType.Add => s.Objects.Count < SceneLayout.MaxObjects,
        EditType.Replace => s.Objects.Any(o => NewShapes(s, o, split).Count > 0),
        EditType.Move => s.Objects.Count > 0 && s.Objects.Count < SceneLayout.GridSize * SceneLayout.GridSize,
        EditType.Color or EditType.Size => s.Objects.Count > 0,
        _ => true,
    };

    /// <summary>A random edit of this category; call only when <see cref="Applies"/>.</summary>
    public static EditProposal Propose(Scene s, EditType type, Random rng, WorldSplit split) => type switch
    {
        EditType.Color => Color(s, rng, split),
        EditType.Remove => Remove(s, rng),
        EditType.Add => Add(s, rng, split),
        EditType.Replace => Replace(s, rng, split),
        EditType.Background => Background(s, rng),
        EditType.Size => Size(s, rng),
        EditType.Move => Move(s, rng),
        EditType.DoNothing => new EditProposal(type, s, "", new Dictionary<string, string>()),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static EditProposal Color(Scene s, Random rng, WorldSplit split)
    {
        var o = rng.Pick(s.Objects);
        var colors = Palette.ObjectColors.Where(c => c != o.Color && HeldOut.Allows(split, o.Shape, c)).ToArray();
        var color = rng.Pick(colors);
        return Make(EditType.Color, s.Replace(o, o with { Color = color }), o, ("color", color.Name));
    }

    private static EditProposal Remove(Scene s, Random rng)
    {
        var o = rng.Pick(s.Objects);
        return Make(EditType.Remove, s.Without(o), o);
    }

    private static EditProposal Add(Scene s, Random rng, WorldSplit split)
    {
        var shape = rng.Pick(UnusedShapes(s));
        var (row, col) = rng.Pick(EmptyCells(s));
        var added = SceneSampler.SampleObject(rng, split, shape, row, col);
        return Make(EditType.Add, s.With(added), added,
            ("color", added.Color.Name), ("size", WorldVocabulary.SizeWord(added.Size)), ("pos", WorldVocabulary.CellName(row, col)));
    }

    private static EditProposal Replace(Scene s, Random rng, WorldSplit split)
    {
        var o = rng.Pick(s.Objects.Where(x => NewShapes(s, x, split).Count > 0).ToArray());
        var shape = rng.Pick(NewShapes(s, o, split));
        return Make(EditType.Replace, s.Replace(o, o with { Shape = shape }), o, ("new_shape", WorldVocabulary.ShapeNoun(shape)));
    }

    private static EditProposal Background(Scene s, Random rng)
    {
        var bg = rng.Pick(Palette.BackgroundColors.Where(c => c != s.Background).ToArray());
        return new EditProposal(EditType.Background, s with { Background = bg }, "", new Dictionary<string, string> { ["bg"] = bg.Name });
    }

    private static EditProposal Size(Scene s, Random rng)
    {
        var o = rng.Pick(s.Objects);
        bool grow = o.Size == SizeKind.Small;
        // A small object may sit further off-centre than a large one fits: pull the jitter back into range.
        var resized = SceneLayout.ClampJitter(o with { Size = grow ? SizeKind.Large : SizeKind.Small });
        return Make(EditType.Size, s.Replace(o, resized), o,
            ("size", WorldVocabulary.SizeWord(resized.Size)), ("bigger", grow ? "bigger" : "smaller"), ("enlarge", grow ? "enlarge" : "shrink"));
    }

    private static EditProposal Move(Scene s, Random rng)
    {
        var o = rng.Pick(s.Objects);
        var (row, col) = rng.Pick(EmptyCells(s));
        return Make(EditType.Move, s.Replace(o, o with { Row = row, Col = col }), o, ("pos", WorldVocabulary.CellName(row, col)));
    }

    private static EditProposal Make(EditType type, Scene target, SceneObject named, params (string Key, string Value)[] extra)
    {
        var slots = new Dictionary<string, string>
        {
            ["shape"] = WorldVocabulary.ShapeNoun(named.Shape),
            ["old_color"] = named.Color.Name,
        };
        foreach (var (key, value) in extra) slots[key] = value;
        return new EditProposal(type, target, WorldVocabulary.ShapeNoun(named.Shape), slots);
    }

    private static IReadOnlyList<ShapeKind> UnusedShapes(Scene s) => Enum.GetValues<ShapeKind>().Where(x => !s.Has(x)).ToArray();

    private static IReadOnlyList<ShapeKind> NewShapes(Scene s, SceneObject o, WorldSplit split) =>
        UnusedShapes(s).Where(x => HeldOut.Allows(split, x, o.Color)).ToArray();

    private static IReadOnlyList<(int Row, int Col)> EmptyCells(Scene s) =>
        SceneLayout.AllCells().Where(c => !s.IsOccupied(c.Row, c.Col)).ToArray();
}
