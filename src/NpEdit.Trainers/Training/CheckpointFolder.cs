using System.Text.Json;
using Microsoft.Extensions.Logging;
using TorchSharp;
using NpEdit.Transforms.IO;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Training;

/// <summary>
/// Training checkpoints in a folder: each is a subfolder <c>step-00001234/</c> of safetensors files (one per named
/// tensor group: model weights, optimizer state, EMA, RNG) plus <c>state.json</c>. A checkpoint is written into a
/// temporary folder and renamed into place, then <c>latest</c> is replaced atomically, so a crash at any moment
/// leaves the previous checkpoint intact. Older checkpoints beyond <see cref="Keep"/> are removed.
/// </summary>
public sealed class CheckpointFolder
{
    private const string LatestFile = "latest";
    private const string StateFile = "state.json";

    public CheckpointFolder(string path, int keep = 2)
    {
        Path = System.IO.Path.GetFullPath(path);
        Keep = Math.Max(1, keep);
    }

    public string Path { get; }
    public int Keep { get; }

    public void Save(long step, IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> groups, IReadOnlyDictionary<string, string> state) =>
        Commit(step, temp =>
        {
            foreach (var (group, tensors) in groups)
            {
                SafeTensors.Save(System.IO.Path.Combine(temp, $"{group}.safetensors"), tensors);
            }
            var withStep = new Dictionary<string, string>(state)
            {
                ["step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [Checkpoint.ThreadsKey] = torch.get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            File.WriteAllText(System.IO.Path.Combine(temp, StateFile), JsonSerializer.Serialize(withStep));
        });

    /// <summary>The newest complete checkpoint, or null when the folder has none.</summary>
    public Checkpoint? TryLoadLatest()
    {
        string latest = System.IO.Path.Combine(Path, LatestFile);
        if (!File.Exists(latest)) return null;
        string name = File.ReadAllText(latest).Trim();
        string folder = System.IO.Path.Combine(Path, name);
        if (!Directory.Exists(folder))
            throw new InvalidDataException($"{latest} points to {name}, which does not exist; the checkpoint folder is damaged.");
        var stateText = File.ReadAllText(System.IO.Path.Combine(folder, StateFile));
        var state = JsonSerializer.Deserialize<Dictionary<string, string>>(stateText)
            ?? throw new InvalidDataException($"{folder}/{StateFile} is empty.");
        return new Checkpoint(folder, long.Parse(state["step"], System.Globalization.CultureInfo.InvariantCulture), state);
    }

    /// <summary>
    /// Makes <paramref name="checkpoint"/> (from another folder) this folder's latest checkpoint: its files are copied
    /// into a temporary folder and renamed into place, as <see cref="Save"/> does, so a crash leaves no half copy.
    /// Why: runs that share a common first stage (the paper bench's copy warm-up) start from one trained copy of it.
    /// </summary>
    public void CopyFrom(Checkpoint checkpoint) =>
        Commit(checkpoint.Step, temp =>
        {
            foreach (var file in Directory.GetFiles(checkpoint.Folder))
            {
                File.Copy(file, System.IO.Path.Combine(temp, System.IO.Path.GetFileName(file)));
            }
        });

    /// <summary>Fills a temporary folder, renames it into place as step-N, then points <c>latest</c> at it.</summary>
    private void Commit(long step, Action<string> fill)
    {
        Directory.CreateDirectory(Path);
        string name = $"step-{step:D8}";
        string final = System.IO.Path.Combine(Path, name);
        string temp = System.IO.Path.Combine(Path, $".{name}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        try
        {
            fill(temp);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(temp, final);
        }
        catch
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            throw;
        }
        string latestTemp = System.IO.Path.Combine(Path, $".{LatestFile}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(latestTemp, name);
        File.Move(latestTemp, System.IO.Path.Combine(Path, LatestFile), overwrite: true);
        Prune(name);
    }

    private void Prune(string keepName)
    {
        var all = Directory.GetDirectories(Path, "step-*").Select(System.IO.Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToList();
        foreach (var old in all.Take(Math.Max(0, all.Count - Keep)))
        {
            if (old != keepName) Directory.Delete(System.IO.Path.Combine(Path, old!), recursive: true);
        }
    }
}

/// <summary>A checkpoint on disk: its step, its state strings, and access to its tensor groups.</summary>
public sealed record Checkpoint(string Folder, long Step, IReadOnlyDictionary<string, string> State)
{
    /// <summary>Loads one tensor group (the caller disposes the tensors).</summary>
    public Dictionary<string, Tensor> Load(string group) =>
        SafeTensors.Load(System.IO.Path.Combine(Folder, $"{group}.safetensors"));

    public bool Has(string group) => File.Exists(System.IO.Path.Combine(Folder, $"{group}.safetensors"));

    /// <summary>The state key of the torch thread count the checkpoint was written with.</summary>
    public const string ThreadsKey = "torch_threads";

    /// <summary>The torch thread count the checkpoint was written with (null for checkpoints from before it was recorded).</summary>
    public int? Threads => State.TryGetValue(ThreadsKey, out var text) && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : null;

    /// <summary>
    /// Logs the resume, and warns when this process runs on another torch thread count than the checkpoint's writer.
    /// Why: a CPU run's sums are ordered by its thread count, so a resumed run equals an uninterrupted one only at the
    /// same count; another count is a different (equally valid) trajectory, which a user comparing runs should know.
    /// </summary>
    public void LogResume(ILogger? logger)
    {
        if (logger is null) return;
        logger.LogInformation("Resumed from {Folder} at step {Step}", Folder, Step);
        int now = torch.get_num_threads();
        if (Threads is { } then && then != now)
        {
            logger.LogWarning(
                "The checkpoint was written with {Then} torch threads and this run has {Now}: on a CPU the resumed run will not equal an uninterrupted one (same seed, {Then} threads).", then, now, then);
        }
    }
}
