using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace NpEdit.Trainers.Training;

/// <summary>
/// Turns per-step losses into <see cref="TrainingProgress"/> reports: smoothed losses, rate and ETA measured over
/// this process's steps (a resumed run does not count time it did not spend). Logs every <see cref="LogEvery"/> steps.
/// </summary>
public sealed class ProgressTracker
{
    private readonly string _run;
    private readonly long _total;
    private readonly long _firstStep;
    private readonly ILogger? _logger;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, double> _smoothed = new(StringComparer.Ordinal);

    public ProgressTracker(string run, long firstStep, long totalSteps, ILogger? logger, IProgress<TrainingProgress>? progress, int logEvery = 50)
    {
        _run = run;
        _firstStep = firstStep;
        _total = totalSteps;
        _logger = logger;
        _progress = progress;
        LogEvery = Math.Max(1, logEvery);
    }

    public int LogEvery { get; }
    public TimeSpan Elapsed => _clock.Elapsed;
    /// <summary>Every step's raw losses, for loss curves.</summary>
    public List<(long Step, IReadOnlyDictionary<string, double> Losses)> History { get; } = new();

    public TrainingProgress Report(long step, IReadOnlyDictionary<string, double> losses, long skipped)
    {
        History.Add((step, losses));
        foreach (var (k, v) in losses)
        {
            // Losses are noisy and shown smoothed; schedule values (learning rate, temperature) are shown as they are.
            bool schedule = k is "lr" or "tau";
            if (double.IsFinite(v)) _smoothed[k] = schedule || !_smoothed.TryGetValue(k, out var s) ? v : 0.9 * s + 0.1 * v;
        }
        long done = step - _firstStep;
        double rate = done / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);
        TimeSpan? eta = rate > 0 ? TimeSpan.FromSeconds((_total - step) / rate) : null;
        // Only this step's terms: a term that stopped (the copy loss after warm-up) must not be shown with its last value.
        var shown = _smoothed.Where(kv => losses.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var progress = new TrainingProgress(_run, step, _total, shown, rate, _clock.Elapsed, eta, skipped);
        _progress?.Report(progress);
        if (_logger is not null && (step % LogEvery == 0 || step == _total))
        {
            _logger.LogInformation("{Progress}", progress.ToString());
        }
        return progress;
    }
}
