using System.CommandLine;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Cli.Infrastructure;

/// <summary>Options that several verbs share, so they are spelled and defaulted the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<DeviceOption> Device() => new("--device")
    {
        Description = "cpu, cuda or auto (CUDA when available).",
        DefaultValueFactory = _ => DeviceOption.Auto,
    };

    public static Option<int> Seed(int defaultValue = 0) => new("--seed")
    {
        Description = "Random seed; the same seed gives the same result on the CPU.",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<double?> KeepBelow() => new("--keep-below")
    {
        Description = "Pixels the edit changed by less than this (largest channel difference, on the [-1, 1] scale) keep the source's colour (0 = off; default: the model's own).",
    };

    public static Option<int> Count(int defaultValue) => new("--count")
    {
        Description = "How many rows or images.",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "Torch intra-op threads (0 = libtorch default).",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>The model file a training verb writes.</summary>
    public static Option<string> ModelOutput(string defaultPath) => new("--out")
    {
        Description = "Model file to write.",
        DefaultValueFactory = _ => defaultPath,
    };

    /// <summary>A training verb's checkpoint folder; unset means a <c>checkpoints</c> folder beside the model file.</summary>
    public static Option<string?> CheckpointsBesideModel() => new("--checkpoints")
    {
        Description = "Checkpoint folder (default: beside the model); a run resumes from it.",
    };

    public static Option<string?> Prior() => new("--prior")
    {
        Description = "Prior folder (default: the shipped models/shapes-prior).",
    };
}
