namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Whether a caption describes a scene exactly, in any of the world's caption templates and object orders. Why:
/// an edited caption is written in the source caption's template, which the source image does not show, so a
/// writer of edited captions is right when it describes the edited scene in any phrasing the world uses.
/// </summary>
public static class CaptionMatch
{
    public static bool Describes(string caption, Scene scene)
    {
        ArgumentNullException.ThrowIfNull(caption);
        var text = caption.Trim();
        var shapes = scene.Objects.Select(o => o.Shape).Distinct().ToList();
        foreach (var template in CaptionTemplate.All)
        {
            if (!template.Shuffled)
            {
                if (Captioner.Describe(scene, template, shapeOrder: null) == text) return true;
                continue;
            }
            foreach (var order in Permutations(shapes))
            {
                if (Captioner.Describe(scene, template, order) == text) return true;
            }
        }
        return false;
    }

    private static IEnumerable<IReadOnlyList<ShapeKind>> Permutations(IReadOnlyList<ShapeKind> items)
    {
        if (items.Count <= 1)
        {
            yield return items;
            yield break;
        }
        for (int i = 0; i < items.Count; i++)
        {
            var rest = items.Where((_, k) => k != i).ToList();
            foreach (var tail in Permutations(rest)) yield return new[] { items[i] }.Concat(tail).ToList();
        }
    }
}
