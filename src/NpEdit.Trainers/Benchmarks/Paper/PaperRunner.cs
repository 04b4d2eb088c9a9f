using Microsoft.Extensions.Logging;
using Microsoft.ML;
using NpEdit.Trainers.Editing;
using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Supervised;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Training;
using NpEdit.Transforms;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.IO;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Sampling;

namespace NpEdit.Trainers.Benchmarks.Paper;

/// <summary>Settings of a paper run.</summary>
public sealed record PaperRunOptions
{
    public string Folder { get; init; } = "runs/paper";
    public int EvalCount { get; init; } = 1000;
    public int EvalSeed { get; init; } = 1;
    /// <summary>Distinct training rows for 100% data; fractions cycle through fewer.</summary>
    public long TrainingRows { get; init; } = 100_000;
    /// <summary>NP-Edit settings shared by every NP-Edit row (each row's switches are applied on top).</summary>
    public Func<NpEditTrainer.Options> BaseOptions { get; init; } = () => new NpEditTrainer.Options();
    public int Threads { get; init; }
    /// <summary>
    /// Train the copy warm-up once (in <c>warmup/</c>) and start every NP-Edit row on all the data from it. The warm-up
    /// does not depend on any ablation switch, so this gives the same weights as each row training its own (tested)
    /// and makes the ablations a controlled comparison from one starting point. Rows on a fraction of the data train
    /// their own warm-up on that fraction.
    /// </summary>
    public bool ShareWarmup { get; init; } = true;
    /// <summary>The prior the zero-shot and supervised rows start from (default: the shipped one; NP-Edit rows use their options).</summary>
    public string? PriorFolder { get; init; }
    /// <summary>Side of the world's images.</summary>
    public int ImageSize { get; init; } = 32;
    public ILogger? Logger { get; init; }
    /// <summary>Where a row's training reports progress (row name, total steps).</summary>
    public Func<string, long, IProgress<TrainingProgress>>? ProgressFor { get; init; }
}

/// <summary>
/// Runs the rows of the paper's tables on the default world. Every row's trained model and result are cached in
/// its own folder (<c>runs/paper/&lt;row&gt;/</c>): a finished row is never redone, and an interrupted training resumes
/// from its checkpoints.
/// </summary>
public sealed class PaperRunner : IDisposable
{
    private readonly PaperRunOptions _o;
    private readonly MLContext _context = new(seed: 0);
    private ResNetFeaturizer? _featurizer;
    private float[]? _realFeatures;

    public PaperRunner(PaperRunOptions options) => _o = options;

    public string RowFolder(string name) => Path.Combine(_o.Folder, name);

    public bool IsDone(string name) => File.Exists(Path.Combine(RowFolder(name), "result.json"));

    public PaperRowResult Run(PaperRowSpec spec, IReadOnlyDictionary<string, PaperRowResult> finished)
    {
        string folder = RowFolder(spec.Name);
        string resultPath = Path.Combine(folder, "result.json");
        if (File.Exists(resultPath))
        {
            _o.Logger?.LogInformation("{Row}: cached result", spec.Name);
            return Json.Deserialize<PaperRowResult>(File.ReadAllText(resultPath), resultPath);
        }
        Directory.CreateDirectory(folder);
        var (editor, trainSeconds, trainSteps, sharedWarmupSeconds, dispose) = EditorFor(spec, finished);
        using (dispose)
        {
            _o.Logger?.LogInformation("{Row}: evaluating on {Count} held-out rows", spec.Name, _o.EvalCount);
            var evaluation = EditEvaluation.Run(editor, _o.EvalCount, _o.EvalSeed, _o.ImageSize);
            ImageEncoding.SavePng(EditEvaluation.ContactSheet(PickForSheet(evaluation.Rows)), Path.Combine(folder, "sheet.png"));
            var realism = RealismScore.Compute(Featurizer.Features(evaluation.Rows.Select(r => r.Output).ToList()), RealFeatures(evaluation));
            double Bool(bool b) => b ? 1.0 : 0.0;
            var result = new PaperRowResult
            {
                Name = spec.Name,
                Label = spec.Label,
                Kind = spec.Kind.ToString(),
                PaperRow = spec.PaperRow,
                PaperOverall = spec.PaperOverall,
                EditSuccess = Bootstrap.Mean(evaluation.Rows.Select(r => Bool(r.Score.EditSuccess)).ToList()),
                Preserved = Bootstrap.Mean(evaluation.Rows.Select(r => Bool(r.Score.Preserved)).ToList()),
                Exact = Bootstrap.Mean(evaluation.Rows.Select(r => Bool(r.Score.Exact)).ToList()),
                Psnr = Bootstrap.Mean(evaluation.Rows.Select(r => r.Score.Psnr).ToList()),
                RealismFd = realism,
                ByCategory = evaluation.ByCategory.ToDictionary(kv => kv.Key, kv => CategoryMetrics.Of(kv.Value)),
                ByNovelty = RowNovelty.Summaries(evaluation.Rows).ToDictionary(kv => kv.Key, kv => CategoryMetrics.Of(kv.Value)),
                EvalCount = _o.EvalCount,
                SamplingSteps = spec.SamplingSteps,
                TrainSeconds = trainSeconds,
                TrainSteps = trainSteps,
                EvalSeconds = evaluation.Seconds,
                SharedWarmupSeconds = spec.ReuseModelOf is null ? sharedWarmupSeconds : 0,
                ReusesModelOf = spec.ReuseModelOf,
                Explanation = spec.Explanation,
            };
            string temp = resultPath + ".tmp";
            File.WriteAllText(temp, Json.Serialize(result));
            File.Move(temp, resultPath, overwrite: true);
            _o.Logger?.LogInformation("{Row}: edit_success {Success}, preserved {Preserved}, realism FD {Fd}", spec.Name, result.EditSuccess, result.Preserved, result.RealismFd);
            return result;
        }
    }

    private (IImageEditor Editor, double Seconds, long Steps, double SharedWarmupSeconds, IDisposable Dispose) EditorFor(PaperRowSpec spec, IReadOnlyDictionary<string, PaperRowResult> finished)
    {
        if (spec.Kind == PaperRowKind.ZeroShot)
        {
            var prior = FlowModelStore.Load(_o.PriorFolder ?? ShippedModels.PriorFolder);
            return (new SdEditEditor(prior, steps: spec.SamplingSteps), 0, 0, 0, prior);
        }
        string owner = spec.ReuseModelOf ?? spec.Name;
        string modelPath = Path.Combine(RowFolder(owner), "model.npedit");
        string trainInfo = Path.Combine(RowFolder(owner), "train.json");
        if (!File.Exists(modelPath))
        {
            if (spec.ReuseModelOf is not null) throw new InvalidOperationException($"Row '{spec.Name}' reuses '{owner}', which has no model yet; run it first.");
            Train(spec, finished, modelPath, trainInfo);
        }
        var info = Json.Deserialize<Dictionary<string, double>>(File.ReadAllText(trainInfo), trainInfo);
        var editor = NpEditModelFile.LoadEditor(_context, modelPath);
        var sampler = editor.Options.Sampler with { Steps = spec.SamplingSteps };
        return (new TransformerEditor(editor, sampler, spec.Label), info["seconds"], (long)info["steps"], info.GetValueOrDefault("shared_warmup_seconds"), editor);
    }

    private void Train(PaperRowSpec spec, IReadOnlyDictionary<string, PaperRowResult> finished, string modelPath, string trainInfo)
    {
        string folder = Path.GetDirectoryName(modelPath)!;
        long rows = Math.Max(1, (long)Math.Round(_o.TrainingRows * spec.DataFraction));
        NpEditTransformer editor;
        double seconds;
        double sharedWarmupSeconds = 0;
        long steps;
        IReadOnlyList<(long Step, IReadOnlyDictionary<string, double> Losses)> history;
        if (spec.Kind == PaperRowKind.Supervised)
        {
            if (!finished.TryGetValue("np-edit", out var npEdit))
                throw new InvalidOperationException("The supervised baseline gets NP-Edit's wall-clock budget; run the np-edit row first.");
            var defaults = _o.BaseOptions();
            var options = new SupervisedEditTrainer.Options
            {
                PriorFolder = _o.PriorFolder,
                Steps = int.MaxValue / 2,
                BatchSize = defaults.BatchSize,
                TimeBudget = TimeSpan.FromSeconds(npEdit.TrainSeconds),
                SamplingSteps = 4,
                TimeShift = defaults.TimeShift,
                Seed = defaults.Seed,
                Threads = _o.Threads,
                CheckpointFolder = Path.Combine(folder, "checkpoints"),
                Logger = _o.Logger,
            };
            var data = WorldDataViews.EvaluationRows(_context, rows, seed: 0, size: _o.ImageSize, split: WorldSplit.Train);
            options.Progress = _o.ProgressFor?.Invoke(spec.Name, 0);
            var trainer = new SupervisedEditTrainer(_context, options);
            editor = trainer.Fit(data);
            seconds = trainer.LastFitDuration.TotalSeconds;
            steps = trainer.StepsDone;
            history = trainer.LossHistory;
            NpEditModelFile.Save(_context, editor, data.Schema, modelPath);
        }
        else
        {
            var options = _o.BaseOptions();
            spec.Configure?.Invoke(options);
            options.Threads = _o.Threads;
            options.CheckpointFolder = Path.Combine(folder, "checkpoints");
            options.Logger = _o.Logger;
            var data = WorldDataViews.TrainingRows(_context, rows, seed: 0, size: _o.ImageSize);
            if (_o.ShareWarmup && spec.DataFraction >= 1.0 && SharesWarmupWithBase(options))
            {
                sharedWarmupSeconds = StartFromSharedWarmup(options.CheckpointFolder, rows);
            }
            options.Progress = _o.ProgressFor?.Invoke(spec.Name, options.Steps);
            var trainer = new NpEditTrainer(_context, options);
            editor = trainer.Fit(data);
            seconds = trainer.LastFitDuration.TotalSeconds;
            steps = options.Steps;
            history = trainer.LossHistory;
            NpEditModelFile.Save(_context, editor, data.Schema, modelPath);
        }
        using (editor)
        {
            LossCsv.Write(history, Path.Combine(folder, "losses.csv"));
            File.WriteAllText(trainInfo, Json.Serialize(new Dictionary<string, double> { ["seconds"] = seconds, ["steps"] = steps, ["rows"] = rows, ["shared_warmup_seconds"] = sharedWarmupSeconds }));
        }
    }

    /// <summary>
    /// The warm-up is shared only when everything it reads is the base run's: a row switch that changed the prior,
    /// seed, batch, warm-up length or its learning rate would make the shared copy a different experiment.
    /// </summary>
    private bool SharesWarmupWithBase(NpEditTrainer.Options row)
    {
        var b = _o.BaseOptions();
        return row.WarmupCopySteps > 0 && row.WarmupCopySteps < row.Steps
            && row.WarmupCopySteps == b.WarmupCopySteps && row.PriorFolder == b.PriorFolder && row.Seed == b.Seed
            && row.BatchSize == b.BatchSize && row.WarmupLearningRate == b.WarmupLearningRate && row.TimeShift == b.TimeShift
            && row.GradientClip == b.GradientClip && row.Beta1 == b.Beta1 && row.Beta2 == b.Beta2
            && row.WarmupInstructionProbability == b.WarmupInstructionProbability;
    }

    /// <summary>
    /// Trains the base options' copy warm-up once into <c>warmup/checkpoints</c> (resumable like any run) and makes
    /// it the row's starting checkpoint unless the row already has its own. Returns the warm-up's training seconds,
    /// which the row's time includes (its checkpoint carries them).
    /// </summary>
    private double StartFromSharedWarmup(string rowCheckpoints, long rows)
    {
        // Rows split over several processes (bench paper --row) may all reach this point; the first trains the
        // warm-up and the others wait for it instead of training it again.
        using var turn = FolderLock.Acquire(Path.Combine(_o.Folder, "warmup"), TimeSpan.FromHours(12),
            () => _o.Logger?.LogInformation("Waiting for another process to finish the shared copy warm-up"));
        var shared = new CheckpointFolder(Path.Combine(_o.Folder, "warmup", "checkpoints"));
        var warmup = _o.BaseOptions();
        var latest = shared.TryLoadLatest();
        if (latest is null || latest.Step < warmup.WarmupCopySteps)
        {
            _o.Logger?.LogInformation("Shared copy warm-up: {Steps} steps into {Folder}", warmup.WarmupCopySteps, shared.Path);
            warmup.Steps = warmup.WarmupCopySteps;
            warmup.Threads = _o.Threads;
            warmup.CheckpointFolder = shared.Path;
            warmup.Logger = _o.Logger;
            warmup.Progress = _o.ProgressFor?.Invoke("warmup", warmup.Steps);
            using (new NpEditTrainer(_context, warmup).Fit(WorldDataViews.TrainingRows(_context, rows, seed: 0, size: _o.ImageSize))) { }
            latest = shared.TryLoadLatest()!;
        }
        var own = new CheckpointFolder(rowCheckpoints);
        if (own.TryLoadLatest() is null)
        {
            own.CopyFrom(latest);
            _o.Logger?.LogInformation("Starting from the shared warm-up at step {Step}", latest.Step);
        }
        return latest.State.TryGetValue("seconds", out var s) ? double.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private ResNetFeaturizer Featurizer => _featurizer ??= new ResNetFeaturizer();

    private float[] RealFeatures(EditEvaluationResult evaluation) =>
        _realFeatures ??= Featurizer.Features(evaluation.Rows.Select(r => SceneRenderer.Render(r.Edit.Target, _o.ImageSize)).ToList());

    /// <summary>Three rows of each category, so every kind of edit shows on the sheet.</summary>
    private static IEnumerable<EditRowResult> PickForSheet(IReadOnlyList<EditRowResult> rows) =>
        rows.GroupBy(r => r.Edit.EditType).OrderBy(g => g.Key).SelectMany(g => g.Take(3));

    public void Dispose() => _featurizer?.Dispose();
}
