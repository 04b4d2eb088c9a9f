namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Why an output is not <see cref="EditCheck.Preserved"/>: the first thing, in the order listed, that the edit should
/// have left alone and did not. <see cref="None"/> means preserved. An "untouched" object is a source object of
/// another shape than the edited one; the edited object is the one the edit names.
/// </summary>
public enum PreservationFailure
{
    None,

    /// <summary>The background colour changed (on an edit that is not a background edit).</summary>
    Background,

    /// <summary>An untouched object's cell is empty in the output.</summary>
    UntouchedMissing,

    /// <summary>An untouched object's cell holds another shape.</summary>
    UntouchedShape,

    /// <summary>An untouched object kept its shape and cell but not its colour.</summary>
    UntouchedColor,

    /// <summary>An untouched object kept its shape, cell and colour but not its size.</summary>
    UntouchedSize,

    /// <summary>The output has an object no rule allows (more than the edit adds).</summary>
    ExtraObject,

    /// <summary>The edited object is gone, or changed in an attribute the edit does not name.</summary>
    EditedObject,
}

/// <summary>
/// The oracle's account of preservation (<see cref="EditCheck"/>'s definition, in one place): the verdict and, when it
/// fails, which part of the scene broke it, so an evaluation can say what an editor loses.
/// </summary>
public static class PreservationCheck
{
    /// <param name="before">The edited object in the source (<see cref="EditedObjects.Find"/>), null when none.</param>
    public static PreservationFailure Of(Scene output, Scene source, EditType type, SceneObject? before)
    {
        if (type != EditType.Background && output.Background != source.Background) return PreservationFailure.Background;
        var remaining = output.Objects.ToList();
        foreach (var untouched in source.Objects.Where(o => before is null || o.Shape != before.Shape))
        {
            int match = remaining.FindIndex(untouched.SameContent);
            if (match < 0) return Untouched(output, untouched);
            remaining.RemoveAt(match);
        }
        return type switch
        {
            EditType.Background or EditType.DoNothing => remaining.Count == 0 ? PreservationFailure.None : PreservationFailure.ExtraObject,
            EditType.Add => remaining.Count <= 1 ? PreservationFailure.None : PreservationFailure.ExtraObject,
            EditType.Remove => remaining.Count == 0 || (remaining.Count == 1 && remaining[0].Shape == before!.Shape)
                ? PreservationFailure.None : PreservationFailure.ExtraObject,
            _ => remaining.Count switch
            {
                0 => PreservationFailure.EditedObject,
                1 => KeepsUntouchedAttributes(remaining[0], before!, type) ? PreservationFailure.None : PreservationFailure.EditedObject,
                _ => PreservationFailure.ExtraObject,
            },
        };
    }

    private static PreservationFailure Untouched(Scene output, SceneObject expected)
    {
        if (output.At(expected.Row, expected.Col) is not { } found) return PreservationFailure.UntouchedMissing;
        if (found.Shape != expected.Shape) return PreservationFailure.UntouchedShape;
        return found.Color != expected.Color ? PreservationFailure.UntouchedColor : PreservationFailure.UntouchedSize;
    }

    private static bool KeepsUntouchedAttributes(SceneObject o, SceneObject before, EditType type) => type switch
    {
        EditType.Color => o.Shape == before.Shape && o.Size == before.Size && o.IsAt(before.Row, before.Col),
        EditType.Size => o.Shape == before.Shape && o.Color == before.Color && o.IsAt(before.Row, before.Col),
        EditType.Move => o.Shape == before.Shape && o.Color == before.Color && o.Size == before.Size,
        EditType.Replace => o.Color == before.Color && o.Size == before.Size && o.IsAt(before.Row, before.Col),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
