using TorchSharp;

namespace NpEdit.Transforms.Runtime;

/// <summary>
/// Builds a freshly initialised module from a seed. Module constructors draw their initial weights from torch's one
/// global generator, so "seed, then construct" is only repeatable if nothing else draws in between: two trainers
/// fitting at once in one process (or parallel tests) would otherwise interleave their draws and start from
/// different weights. The seed and the construction happen under one process-wide lock.
/// </summary>
public static class SeededInit
{
    private static readonly object Gate = new();

    public static T Build<T>(long seed, Func<T> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        TorchRuntime.EnsureInitialized();
        lock (Gate)
        {
            torch.manual_seed(seed);
            return build();
        }
    }
}
