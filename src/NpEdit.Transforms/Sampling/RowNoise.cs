using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Sampling;

/// <summary>
/// Standard-normal noise drawn per row from the row's own seed and a stream number (0 for the starting noise,
/// k for the k-th re-noising), so a row's sample is the same whatever batch it is computed in.
/// </summary>
public static class RowNoise
{
    public static Tensor Draw(IReadOnlyList<long> seeds, long[] shape, int stream)
    {
        using var scope = NewDisposeScope();
        var rows = new Tensor[seeds.Count];
        for (int r = 0; r < seeds.Count; r++)
        {
            using var generator = new Generator(Mix(seeds[r], stream));
            rows[r] = torch.randn(shape, generator: generator);
        }
        return torch.stack(rows).MoveToOuterDisposeScope();
    }

    private static ulong Mix(long seed, int stream)
    {
        ulong z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL * (ulong)(stream + 1));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (z ^ (z >> 31)) & 0x7FFFFFFFFFFFFFFFUL;
    }
}
