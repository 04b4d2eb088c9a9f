namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Per-row random streams. Row <c>i</c> of a source is generated from its own <see cref="Random"/>, seeded by a
/// SplitMix64 hash of (seed, i, stream), so any row can be produced on its own, in any order, on any thread, and
/// always the same. Train and Eval (and each row kind) hash with different stream constants: their seed streams
/// are disjoint. <see cref="Random(int)"/> with a seed uses a fixed algorithm kept stable across .NET versions.
/// </summary>
public static class WorldSeeds
{
    /// <summary>What a row stream is for; mixed into the hash so streams never share seeds.</summary>
    public enum Stream : ulong
    {
        Edit = 0x45444954,
        Caption = 0x43415054,
        Judge = 0x4A554447,
        Check = 0x43484543,
        Instruction = 0x494E5354,
    }

    public static Random ForRow(int seed, long index, WorldSplit split, Stream stream) => new(RowSeed(seed, index, split, stream));

    public static int RowSeed(int seed, long index, WorldSplit split, Stream stream)
    {
        ulong splitSalt = split == WorldSplit.Train ? 0x9E3779B97F4A7C15UL : 0xC2B2AE3D27D4EB4FUL;
        ulong h = Mix((ulong)(uint)seed ^ splitSalt);
        h = Mix(h ^ (ulong)index);
        h = Mix(h ^ (ulong)stream);
        return (int)(h >> 33);
    }

    // SplitMix64 finaliser (Steele, Lea and Flood 2014): a bijection with good avalanche.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
