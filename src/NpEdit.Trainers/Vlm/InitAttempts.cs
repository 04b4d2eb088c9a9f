using System.Globalization;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// The initialisations a judge's Fit may try (<see cref="JudgeTrainer.Options.SceneTokenFirstStageDeadline"/>): attempt
/// k initialises from seed <c>Seed + 1000 k</c> and checkpoints into <c>attempt-k</c> inside the checkpoint folder (attempt
/// 0 into the folder itself, as before restarts existed), so an interrupted run resumes the attempt it was on.
/// </summary>
public static class InitAttempts
{
    private const long SeedStride = 1000;
    private const string Prefix = "attempt-";

    public static long Seed(long seed, int attempt) => seed + SeedStride * attempt;

    public static string Folder(string checkpointFolder, int attempt) =>
        attempt == 0 ? checkpointFolder : Path.Combine(checkpointFolder, Prefix + attempt.ToString(CultureInfo.InvariantCulture));

    /// <summary>The attempt a checkpoint folder holds the latest of (0 when it holds none or does not exist).</summary>
    public static int Resumed(string? checkpointFolder)
    {
        if (checkpointFolder is null || !Directory.Exists(checkpointFolder)) return 0;
        return Directory.GetDirectories(checkpointFolder, Prefix + "*")
            .Select(d => int.TryParse(Path.GetFileName(d).AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int k) ? k : 0)
            .DefaultIfEmpty(0).Max();
    }
}
