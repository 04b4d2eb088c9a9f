namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Which object an edit touched, read off the difference between source and target (shapes are distinct, so an
/// object is identified by its shape): <c>Before</c> is the object in the source (null for add, background,
/// do-nothing), <c>After</c> its counterpart in the target (null for remove, background, do-nothing).
/// </summary>
public static class EditedObjects
{
    public static (SceneObject? Before, SceneObject? After) Find(Scene source, Scene target, EditType type)
    {
        switch (type)
        {
            case EditType.Background or EditType.DoNothing:
                return (null, null);
            case EditType.Remove:
                return (Single(source.Objects.Where(o => !target.Has(o.Shape)), type), null);
            case EditType.Add:
                return (null, Single(target.Objects.Where(o => !source.Has(o.Shape)), type));
            case EditType.Replace:
                return (Single(source.Objects.Where(o => !target.Has(o.Shape)), type), Single(target.Objects.Where(o => !source.Has(o.Shape)), type));
            default:
                var before = Single(source.Objects.Where(o => target.Find(o.Shape) is { } t && !t.SameContent(o)), type);
                return (before, target.Find(before.Shape));
        }
    }

    private static SceneObject Single(IEnumerable<SceneObject> candidates, EditType type)
    {
        var list = candidates.ToList();
        return list.Count == 1 ? list[0] : throw new ArgumentException($"Source and target do not differ by one {type} edit ({list.Count} candidate objects).");
    }
}
