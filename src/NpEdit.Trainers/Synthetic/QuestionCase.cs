namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// A short label for the kind of case a general question is, for accuracy breakdowns (<c>judge breakdown</c>): its
/// answer and phrasing (seen or held out) and, for two-image questions, the attribute it asks about and how the two
/// scenes differ ("identical", "named object's color", "background", "other objects").
/// Why: a kind's accuracy can hide a group of questions a judge gets wrong every time. Measured (docs/judge.md): a
/// one-hour judge at 0.82 on compare_changed answered "has the color of the circle changed?" Yes for identical
/// images 98 % of the time, and a judge at 0.96 on single images answered the held-out "does the image have a red
/// background?" No every time.
/// </summary>
public static class QuestionCase
{
    /// <summary>"answer yes, seen phrasing" or, for two images, e.g. "asks color, answer no, seen phrasing, identical".</summary>
    public static string Of(JudgeQuestion question)
    {
        var parts = new List<string>();
        var named = Named(question.Question);
        if (named is { } asked) parts.Add($"asks {Word(asked.Attribute)}");
        parts.Add(question.Answer ? "answer yes" : "answer no");
        parts.Add(HeldOut.IsHeldOutTemplate(question.TemplateId) ? "held-out phrasing" : "seen phrasing");
        if (question.Images.Count == 2) parts.Add(Difference(question.Images[0], question.Images[1], named?.Shape));
        return string.Join(", ", parts);
    }

    /// <summary>How <paramref name="second"/> differs from <paramref name="first"/>; with a named shape, that object's
    /// changes are told apart from the rest ("named object's size", "other objects").</summary>
    internal static string Difference(Scene first, Scene second, ShapeKind? named)
    {
        if (first.SameContent(second)) return "identical";
        var differs = new List<string>();
        if (first.Background != second.Background) differs.Add("background");
        if (named is { } shape)
        {
            var (a, b) = (first.Find(shape), second.Find(shape));
            if (a is null || b is null) differs.Add("named object added or removed");
            else
            {
                if (a.Color != b.Color) differs.Add("named object's color");
                if (a.Size != b.Size) differs.Add("named object's size");
                if (a.Row != b.Row || a.Col != b.Col) differs.Add("named object's position");
            }
        }
        if (!SameObjects(first, second, except: named)) differs.Add(named is null ? "objects" : "other objects");
        return string.Join(" + ", differs);
    }

    // The attribute phrase a two-image template filled in ("the size of the circle"), if any.
    private static (SceneAttribute Attribute, ShapeKind? Shape)? Named(string question)
    {
        foreach (var attribute in Enum.GetValues<SceneAttribute>())
        {
            if (attribute == SceneAttribute.Background)
            {
                if (question.Contains(WorldVocabulary.AttributePhrase(attribute, ShapeKind.Circle), StringComparison.Ordinal)) return (attribute, null);
                continue;
            }
            foreach (var shape in Enum.GetValues<ShapeKind>())
            {
                if (question.Contains(WorldVocabulary.AttributePhrase(attribute, shape), StringComparison.Ordinal)) return (attribute, shape);
            }
        }
        return null;
    }

    private static string Word(SceneAttribute attribute) => attribute.ToString().ToLowerInvariant();

    private static bool SameObjects(Scene first, Scene second, ShapeKind? except)
    {
        var a = first.Objects.Where(o => o.Shape != except).ToList();
        var b = second.Objects.Where(o => o.Shape != except).ToList();
        return a.Count == b.Count && a.All(o => b.Any(o.SameContent));
    }
}
