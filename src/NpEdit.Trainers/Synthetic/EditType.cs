namespace NpEdit.Trainers.Synthetic;

/// <summary>The edit categories of the default world (a subset of the paper's: add, replace, remove, color, background, adjust as size, and move).</summary>
public enum EditType
{
    Color,
    Remove,
    Add,
    Replace,
    Background,
    Size,
    Move,
    DoNothing,
}
