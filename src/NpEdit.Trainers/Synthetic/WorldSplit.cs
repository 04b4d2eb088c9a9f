namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Which part of the world a row comes from. <see cref="Train"/> never produces the combinations and phrasings
/// listed in <see cref="HeldOut"/>; <see cref="Eval"/> uses everything and draws its rows from a disjoint seed stream.
/// </summary>
public enum WorldSplit
{
    Train,
    Eval,
}
