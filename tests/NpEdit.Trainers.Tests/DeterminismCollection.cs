namespace NpEdit.Trainers.Tests;

/// <summary>
/// Tests that compare two training runs bit for bit. They run alone: a test on another thread drawing from torch's
/// global generator, or changing its thread count, would change what these runs compute.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeterminismCollection
{
    public const string Name = "Determinism";
}
