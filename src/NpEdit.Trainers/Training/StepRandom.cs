using TorchSharp;

namespace NpEdit.Trainers.Training;

/// <summary>
/// Randomness derived from (seed, step, stream) alone, never carried from step to step. A run resumed at step k
/// therefore draws exactly the numbers an uninterrupted run draws at step k, with no generator state to save.
/// </summary>
public static class StepRandom
{
    /// <summary>A well-mixed 64-bit value for (seed, step, stream) (SplitMix64 finaliser).</summary>
    public static ulong Mix(long seed, long step, int stream)
    {
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)step * 0xBF58476D1CE4E5B9UL ^ (ulong)stream * 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>A torch generator for this step and stream (dispose it after use).</summary>
    public static torch.Generator Torch(long seed, long step, int stream, torch.Device? device = null) =>
        new(Mix(seed, step, stream) & 0x7FFFFFFFFFFFFFFFUL, device);

    /// <summary>A managed generator for this step and stream.</summary>
    public static Random Managed(long seed, long step, int stream) => new(unchecked((int)Mix(seed, step, stream)));
}
