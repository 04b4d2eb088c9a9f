namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Whether a scene (an edit's output, as parsed) carries out an edit of <c>source</c> into <c>target</c>.
/// Objects are matched by shape. Per category:
/// <list type="table">
/// <listheader><term>category</term><description>EditSuccess: the edited attribute matches the target</description></listheader>
/// <item><term>Color</term><description>an object of the edited shape has the target colour</description></item>
/// <item><term>Size</term><description>an object of the edited shape has the target size</description></item>
/// <item><term>Move</term><description>an object of the edited shape is in the target cell</description></item>
/// <item><term>Replace</term><description>the new shape is in the edited cell and the old shape is gone</description></item>
/// <item><term>Remove</term><description>no object of the removed shape is left</description></item>
/// <item><term>Add</term><description>an object equal to the added one (shape, colour, size, cell) is present</description></item>
/// <item><term>Background</term><description>the background has the target colour</description></item>
/// <item><term>DoNothing</term><description>the scene equals the source</description></item>
/// </list>
/// Preserved: everything the edit should not touch is unchanged. The background is the source's (except for a
/// background edit); every other source object is present with the same shape, colour, size and cell; there is no
/// extra object; and the edited object keeps its untouched attributes (colour edit: shape, size, cell; size edit:
/// shape, colour, cell; move: shape, colour, size; replace: colour, size, cell). For remove, the removed object is
/// ignored (present or not), like the paper's identity question; for add, at most one object besides the source's.
/// Exact: the scene equals the target (jitter ignored).
/// </summary>
public sealed record EditCheck(bool EditSuccess, bool Preserved, bool Exact)
{
    public static EditCheck Of(Scene output, Scene source, Scene target, EditType type) => Of(output, source, target, type, out _);

    /// <param name="failure">What broke preservation (<see cref="PreservationFailure.None"/> when preserved).</param>
    public static EditCheck Of(Scene output, Scene source, Scene target, EditType type, out PreservationFailure failure)
    {
        var (before, after) = EditedObjects.Find(source, target, type);
        failure = PreservationCheck.Of(output, source, type, before);
        return new EditCheck(IsSuccess(output, source, target, type, before, after), failure == PreservationFailure.None, output.SameContent(target));
    }

    private static bool IsSuccess(Scene x, Scene source, Scene target, EditType type, SceneObject? before, SceneObject? after) => type switch
    {
        EditType.Color => x.Objects.Any(o => o.Shape == after!.Shape && o.Color == after.Color),
        EditType.Size => x.Objects.Any(o => o.Shape == after!.Shape && o.Size == after.Size),
        EditType.Move => x.Objects.Any(o => o.Shape == after!.Shape && o.IsAt(after.Row, after.Col)),
        EditType.Replace => x.Objects.Any(o => o.Shape == after!.Shape && o.IsAt(after.Row, after.Col)) && !x.Has(before!.Shape),
        EditType.Remove => !x.Has(before!.Shape),
        EditType.Add => x.Objects.Any(o => o.SameContent(after!)),
        EditType.Background => x.Background == target.Background,
        EditType.DoNothing => x.SameContent(source),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
