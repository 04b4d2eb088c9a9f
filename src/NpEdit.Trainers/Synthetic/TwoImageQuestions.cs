namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Proposes one question comparing a scene with a perturbation of it: the same scene (a third of the time), one
/// random edit (half) or two (a sixth). Attribute questions half the time ask about what the first edit changed,
/// otherwise about a random attribute, so both answers stay common. Answers are computed from the two scenes.
/// </summary>
internal static class TwoImageQuestions
{
    private static readonly EditType[] Perturbations =
        [EditType.Color, EditType.Remove, EditType.Add, EditType.Replace, EditType.Background, EditType.Size, EditType.Move];

    public static JudgeQuestion Propose(string kind, PhraseTemplate template, Random rng, WorldSplit split)
    {
        var first = SceneSampler.Sample(rng, split);
        var (second, edit) = Perturb(first, rng, split);
        var slots = new Dictionary<string, string>();
        var (attribute, shape) = (SceneAttribute.Background, ShapeKind.Circle);
        if (template.Slots.Contains("attr"))
        {
            (attribute, shape) = PickAttribute(first, second, edit, rng);
            slots["attr"] = WorldVocabulary.AttributePhrase(attribute, shape);
        }
        return new JudgeQuestion([first, second], template.Fill(slots), Answer(kind, first, second, attribute, shape), kind, template.Id);
    }

    /// <summary>The true answer of a two-image question; <paramref name="attribute"/> and <paramref name="shape"/> matter only for the attribute kinds.</summary>
    internal static bool Answer(string kind, Scene first, Scene second, SceneAttribute attribute, ShapeKind shape) => kind switch
    {
        QuestionKinds.CompareSame => first.SameContent(second),
        QuestionKinds.CompareAdded => second.Objects.Any(o => !first.Has(o.Shape)),
        QuestionKinds.CompareRemoved => first.Objects.Any(o => !second.Has(o.Shape)),
        // Same apart from X: taking X from the second image makes the first equal to it.
        QuestionKinds.CompareExcept => Align(first, second, attribute, shape).SameContent(second),
        // X changed: taking X from the second image changes the first.
        QuestionKinds.CompareChanged => !Align(first, second, attribute, shape).SameContent(first),
        _ => throw new ArgumentException($"'{kind}' is not a two-image question kind.", nameof(kind)),
    };

    private static (Scene Second, EditSample? Edit) Perturb(Scene first, Random rng, WorldSplit split)
    {
        int roll = rng.Next(6);
        if (roll < 2) return (first, null);
        var edit = EditSampler.Sample(first, rng, split, Perturbations);
        var second = roll == 5 ? EditSampler.Sample(edit.Target, rng, split, Perturbations).Target : edit.Target;
        return (second, edit);
    }

    /// <summary>An attribute of an object present in both scenes (or the background).</summary>
    private static (SceneAttribute Attribute, ShapeKind Shape) PickAttribute(Scene first, Scene second, EditSample? edit, Random rng)
    {
        var common = first.Objects.Where(o => second.Has(o.Shape)).Select(o => o.Shape).ToArray();
        if (edit is not null && rng.Coin())
        {
            if (edit.EditType == EditType.Background) return (SceneAttribute.Background, ShapeKind.Circle);
            var attribute = edit.EditType switch
            {
                EditType.Color => SceneAttribute.Color,
                EditType.Size => SceneAttribute.Size,
                EditType.Move => SceneAttribute.Position,
                _ => (SceneAttribute?)null,
            };
            var (before, _) = EditedObjects.Find(edit.Source, edit.Target, edit.EditType);
            if (attribute is { } a && before is not null && common.Contains(before.Shape)) return (a, before.Shape);
        }
        if (common.Length == 0 || rng.Next(4) == 0) return (SceneAttribute.Background, ShapeKind.Circle);
        return (rng.Pick([SceneAttribute.Color, SceneAttribute.Size, SceneAttribute.Position]), rng.Pick(common));
    }

    /// <summary>The first scene with one attribute taken from the second: equal to the second exactly when nothing else differs.</summary>
    private static Scene Align(Scene first, Scene second, SceneAttribute attribute, ShapeKind shape)
    {
        if (attribute == SceneAttribute.Background) return first with { Background = second.Background };
        var a = first.Find(shape);
        var b = second.Find(shape);
        if (a is null || b is null) return first;
        return first.Replace(a, attribute switch
        {
            SceneAttribute.Color => a with { Color = b.Color },
            SceneAttribute.Size => a with { Size = b.Size },
            _ => a with { Row = b.Row, Col = b.Col },
        });
    }
}
