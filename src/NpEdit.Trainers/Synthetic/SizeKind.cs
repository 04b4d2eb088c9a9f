namespace NpEdit.Trainers.Synthetic;

/// <summary>Object sizes. The extents behind them live in <see cref="SceneLayout"/>.</summary>
public enum SizeKind
{
    Small,
    Large,
}
