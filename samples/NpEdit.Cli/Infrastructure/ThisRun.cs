using NpEdit.Transforms.IO;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Cli.Infrastructure;

/// <summary>How this process trained a model, for the manifest: the command as typed and the machine it ran on.</summary>
internal static class ThisRun
{
    public static TrainingRecord Record(long seed, long steps, double wallTimeSeconds, Dictionary<string, string> settings) => new()
    {
        Command = Logging.CommandLine(),
        Seed = seed,
        Steps = steps,
        WallTimeSeconds = wallTimeSeconds,
        Machine = $"{Environment.ProcessorCount} cores, {TorchRuntime.Describe()}",
        Settings = settings,
    };
}
