using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using NpEdit.Trainers.Losses;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Training;
using NpEdit.Transforms;
using NpEdit.Transforms.Data;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.TextToImage;

/// <summary>
/// Pretrains a text-to-image flow model (the prior NP-Edit starts from) with flow matching over an IDataView of
/// (Image, Caption) rows: logit-normal times, caption dropout for classifier-free guidance, AdamW, EMA, gradient
/// clipping, resumable checkpoints. A resumed CPU run with the same seed ends with the same weights as an
/// uninterrupted one: data order is fixed by the step, and all randomness is derived from (seed, step).
/// </summary>
public sealed partial class TextToImageFlowTrainer : IEstimator<TextToImageTransformer>
{
    private readonly MLContext _context;

    public TextToImageFlowTrainer(MLContext context, Options options)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        TrainerOptions = options ?? throw new ArgumentNullException(nameof(options));
        if (options.ModelConfig is null && options.InitialModelFolder is null)
            throw new ArgumentException("Set Options.ModelConfig (a new model) or Options.InitialModelFolder (continue from weights).", nameof(options));
        if (options.Steps < 1 || options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "Steps and BatchSize must be positive.");
        if (options.TimeShift <= 0 || options.FinalTimeShift is <= 0) throw new ArgumentOutOfRangeException(nameof(options), $"Time shifts must be positive, got {options.TimeShift} and {options.FinalTimeShift}.");
        if (options.ForegroundWeight < 0 || !double.IsFinite(options.ForegroundWeight)) throw new ArgumentOutOfRangeException(nameof(options), $"ForegroundWeight must be finite and non-negative, got {options.ForegroundWeight}.");
        if (options.FinalLearningRateRatio is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(options), $"FinalLearningRateRatio must be in [0, 1], got {options.FinalLearningRateRatio}.");
        if (options.CellProbeWeight < 0 || !double.IsFinite(options.CellProbeWeight)) throw new ArgumentOutOfRangeException(nameof(options), $"CellProbeWeight must be finite and non-negative, got {options.CellProbeWeight}.");
        if (options.CellProbeWeight > 0 && options.SceneColumnName is null) throw new ArgumentException("CellProbeWeight > 0 needs SceneColumnName: the probe's labels come from each image's scene.", nameof(options));
    }

    public Options TrainerOptions { get; }

    /// <summary>Wall time of the last <see cref="Fit"/> (this process only).</summary>
    public TimeSpan LastFitDuration { get; private set; }

    /// <summary>Per-step losses of the last <see cref="Fit"/>.</summary>
    public IReadOnlyList<(long Step, IReadOnlyDictionary<string, double> Losses)> LossHistory { get; private set; } = Array.Empty<(long, IReadOnlyDictionary<string, double>)>();

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        SchemaChecks.RequireImage(inputSchema, TrainerOptions.ImageColumnName, "image");
        SchemaChecks.RequireText(inputSchema, TrainerOptions.CaptionColumnName, "caption");
        if (TrainerOptions.CellProbeWeight > 0) SchemaChecks.RequireText(inputSchema, TrainerOptions.SceneColumnName!, "scene JSON");
        int size = TrainerOptions.ModelConfig?.ImageSize ?? 0;
        return SchemaChecks.Append(inputSchema, (TrainerOptions.OutputColumnName, new ImageDataViewType(size, size)));
    }

    public TextToImageTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = TrainerOptions;
        SchemaChecks.RequireImage(input.Schema, o.ImageColumnName, "image");
        SchemaChecks.RequireText(input.Schema, o.CaptionColumnName, "caption");
        bool probed = o.CellProbeWeight > 0;
        if (probed) SchemaChecks.RequireText(input.Schema, o.SceneColumnName!, "scene JSON");
        TorchRuntime.EnsureInitialized();
        TorchRuntime.SetThreads(o.Threads);
        var device = TorchRuntime.ResolveDevice(o.Device, _context);
        o.Logger?.LogInformation("Text-to-image pretraining on {Runtime}", TorchRuntime.Describe(device));

        var model = o.InitialModelFolder is not null ? FlowModelStore.Load(o.InitialModelFolder) : SeededInit.Build(o.Seed, () => new FlowModel(o.ModelConfig!));
        model = model.to(device);
        model.train();
        int size = model.Config.ImageSize;
        var named = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        CellContentProbe? probe = null;
        if (probed)
        {
            if (o.CellProbeBlocks < 1 || o.CellProbeBlocks > model.Config.Transformer.Depth)
                throw new ArgumentOutOfRangeException(nameof(o.CellProbeBlocks), o.CellProbeBlocks, $"The cell probe reads after 1 to {model.Config.Transformer.Depth} blocks.");
            // Built after the model from its own seed, so that a run without the probe initialises the model alike.
            probe = SeededInit.Build(o.Seed + 1, () => new CellContentProbe(model.Config.Transformer.Hidden)).to(device);
            named.AddRange(probe.named_parameters().Select(p => (ProbePrefix + p.name, p.parameter)));
        }
        using var probeOwner = probe; // training-only: disposed with the fit
        using var optimizer = new AdamW(named, o.LearningRate, o.Beta1, o.Beta2, weightDecay: o.WeightDecay);
        using var ema = new ExponentialMovingAverage(model, o.EmaDecay);

        var checkpoints = o.CheckpointFolder is null ? null : new CheckpointFolder(o.CheckpointFolder);
        long startStep = 0, skipped = 0, consumed = 0;
        if (checkpoints?.TryLoadLatest() is { } checkpoint)
        {
            Restore(checkpoint, model, optimizer, ema, probe);
            startStep = checkpoint.Step;
            skipped = long.Parse(checkpoint.State["skipped"]);
            consumed = long.Parse(checkpoint.State["consumed_rows"]);
            checkpoint.LogResume(o.Logger);
        }

        var columns = probed ? new[] { o.ImageColumnName, o.CaptionColumnName, o.SceneColumnName! } : new[] { o.ImageColumnName, o.CaptionColumnName };
        using var rows = new RowStream<PriorRow>(input, columns, row => BindRow(row, o, probed));
        rows.SkipTo(consumed);
        var tracker = new ProgressTracker("prior", startStep, o.Steps, o.Logger, o.Progress);
        var schedule = new WarmupCosineSchedule(o.LearningRate, o.Steps, o.WarmupSteps, o.FinalLearningRateRatio);
        var shifts = new TimeShiftSchedule(o.TimeShift, o.FinalTimeShift ?? o.TimeShift, o.Steps);

        for (long step = startStep; step < o.Steps; step++)
        {
            o.Cancellation.ThrowIfCancellationRequested();
            optimizer.LearningRate = schedule.At(step);
            var batch = rows.Next(o.BatchSize);
            var (loss, cellLoss) = TrainStep(model, probe, optimizer, batch, step, size, device, shifts.At(step));
            if (double.IsFinite(loss))
            {
                ema.Update(model, step + 1);
            }
            else
            {
                skipped++;
                o.Logger?.LogWarning("Step {Step}: non-finite loss, update skipped ({Skipped} so far)", step + 1, skipped);
            }
            var losses = new Dictionary<string, double> { ["flow"] = loss, ["lr"] = optimizer.LearningRate };
            if (probe is not null) losses["cells"] = cellLoss;
            tracker.Report(step + 1, losses, skipped);
            bool last = step + 1 == o.Steps;
            if (checkpoints is not null && ((step + 1) % o.CheckpointInterval == 0 || last))
            {
                SaveCheckpoint(checkpoints, step + 1, model, optimizer, ema, probe, rows.Consumed, skipped);
            }
        }
        if (rows.Failures.Count > 0)
        {
            o.Logger?.LogWarning("{Count} training rows could not be read and were skipped; first: row {Row}: {Error}", rows.Failures.Count, rows.Failures[0].Position, rows.Failures[0].Error);
        }
        LastFitDuration = tracker.Elapsed;
        LossHistory = tracker.History;
        ema.CopyTo(model);
        model.eval();
        return new TextToImageTransformer(model, o.CaptionColumnName, o.OutputColumnName, o.Sampler, seed: o.Seed);
    }

    private const string ProbePrefix = "cell_probe.";

    /// <summary>One training row: the image, its caption and, with a cell probe, the scene it renders.</summary>
    private readonly record struct PriorRow(RgbImage Image, string Caption, Scene? Scene);

    // The flow loss and the cell probe's loss (NaN without a probe); the flow loss is NaN when the update was skipped.
    private (double Flow, double Cells) TrainStep(FlowModel model, CellContentProbe? probe, AdamW optimizer, List<PriorRow> batch, long step, int size, Device device, double timeShift)
    {
        var o = TrainerOptions;
        using var scope = NewDisposeScope();
        var random = StepRandom.Managed(o.Seed, step, stream: 1);
        var dropped = batch.Select(_ => random.NextDouble() < o.TextDropout).ToList();
        var prompts = batch.Select((r, i) => dropped[i] ? string.Empty : r.Caption).ToList();
        var images = ImageTensors.ToBatch(batch.Select(r => r.Image).ToList(), device);
        if (images.shape[2] != size || images.shape[3] != size) images = ImageTensors.Resize(images, size, size);
        var x0 = model.Codec.Encode(images);
        using var generator = StepRandom.Torch(o.Seed, step, stream: 2);
        var t = TimeSampling.Sample(o.TimeDistribution, batch.Count, generator, device, o.TimeMean, o.TimeStd, timeShift);
        var noise = torch.randn(x0.shape, generator: generator).to(device);

        optimizer.ZeroGrad();
        var text = model.EncodeText(prompts);
        var weights = o.ForegroundWeight > 0 ? ForegroundWeights.Of(x0, o.ForegroundWeight) : null;
        Tensor flow, loss;
        double cells = double.NaN;
        if (probe is null)
        {
            flow = loss = FlowMatchingLoss.Compute(model, x0, text, t, noise, pixelWeights: weights);
        }
        else
        {
            (flow, var hidden) = FlowMatchingLoss.ComputeWithHidden(model, x0, text, t, noise, o.CellProbeBlocks, weights);
            var rowWeights = torch.tensor(dropped.Select(d => d ? 0f : 1f).ToArray(), device: device);
            var cellLoss = probe.Loss(hidden, batch.Select(r => r.Scene!).ToList(), rowWeights);
            cells = cellLoss.item<float>();
            loss = flow.Add(cellLoss.Mul(o.CellProbeWeight));
        }
        double value = flow.item<float>();
        if (!double.IsFinite(value) || !double.IsFinite(loss.item<float>())) return (double.NaN, cells);
        loss.backward();
        if (!optimizer.GradientsAreFinite()) return (double.NaN, cells);
        optimizer.ClipGradNorm(o.GradientClip);
        optimizer.Step();
        return (value, cells);
    }

    private static Func<PriorRow> BindRow(DataViewRow row, Options o, bool withScene)
    {
        var image = row.GetGetter<MLImage>(row.Schema[o.ImageColumnName]);
        var caption = row.GetGetter<ReadOnlyMemory<char>>(row.Schema[o.CaptionColumnName]);
        var scene = withScene ? row.GetGetter<ReadOnlyMemory<char>>(row.Schema[o.SceneColumnName!]) : null;
        return () =>
        {
            MLImage value = null!;
            image(ref value);
            ReadOnlyMemory<char> text = default;
            caption(ref text);
            Scene? parsed = null;
            if (scene is not null)
            {
                ReadOnlyMemory<char> json = default;
                scene(ref json);
                parsed = Scene.FromJson(json.ToString());
            }
            // The image belongs to the data view (an in-memory view hands out the same object every pass), so it is
            // copied, never disposed here.
            return new PriorRow(MLImageInterop.ToRgbImage(value), text.ToString(), parsed);
        };
    }

    private static void SaveCheckpoint(CheckpointFolder folder, long step, FlowModel model, AdamW optimizer, ExponentialMovingAverage ema, CellContentProbe? probe, long consumed, long skipped)
    {
        var parts = new Dictionary<string, IReadOnlyDictionary<string, Tensor>>
        {
            ["model"] = model.state_dict(),
            ["optimizer"] = optimizer.StateTensors(),
            ["ema"] = ema.Shadow,
        };
        if (probe is not null) parts[ProbeCheckpointPart] = probe.state_dict();
        folder.Save(step,
            parts,
            new Dictionary<string, string> { ["consumed_rows"] = consumed.ToString(), ["skipped"] = skipped.ToString() });
    }

    private const string ProbeCheckpointPart = "cell_probe";

    private static void Restore(Checkpoint checkpoint, FlowModel model, AdamW optimizer, ExponentialMovingAverage ema, CellContentProbe? probe)
    {
        var weights = checkpoint.Load("model");
        var opt = checkpoint.Load("optimizer");
        var shadow = checkpoint.Load("ema");
        if ((probe is not null) != checkpoint.Has(ProbeCheckpointPart))
            throw new InvalidOperationException(probe is not null
                ? $"Checkpoint {checkpoint.Folder} was written by a run without a cell probe; resume it with CellProbeWeight 0, or start a new checkpoint folder."
                : $"Checkpoint {checkpoint.Folder} was written by a run with a cell probe; resume it with the same CellProbeWeight, or start a new checkpoint folder.");
        var probeWeights = probe is null ? new Dictionary<string, Tensor>() : checkpoint.Load(ProbeCheckpointPart);
        try
        {
            NpEdit.Transforms.IO.StateDictIO.LoadStrict(model, weights, $"{checkpoint.Folder}/model.safetensors");
            optimizer.LoadState(opt, $"{checkpoint.Folder}/optimizer.safetensors");
            ema.Load(shadow, $"{checkpoint.Folder}/ema.safetensors");
            if (probe is not null) NpEdit.Transforms.IO.StateDictIO.LoadStrict(probe, probeWeights, $"{checkpoint.Folder}/{ProbeCheckpointPart}.safetensors");
        }
        finally
        {
            foreach (var t in weights.Values.Concat(opt.Values).Concat(shadow.Values).Concat(probeWeights.Values)) t.Dispose();
        }
    }
}
