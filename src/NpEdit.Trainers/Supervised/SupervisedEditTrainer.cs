using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using NpEdit.Trainers.Losses;
using NpEdit.Trainers.Training;
using NpEdit.Transforms;
using NpEdit.Transforms.Data;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.IO;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using NpEdit.Transforms.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Supervised;

/// <summary>
/// The supervised baseline NP-Edit is compared with: the same generator, from the same prior, trained with plain flow
/// matching on (source, instruction, target) pairs: the target is the flow's data, the source the reference. It can
/// stop at a wall-clock budget so it gets exactly the time NP-Edit got. Sampled with Euler steps (4 or many).
/// </summary>
public sealed class SupervisedEditTrainer : IEstimator<NpEditTransformer>
{
    public sealed class Options
    {
        public string ImageColumnName = "Image";
        public string TargetImageColumnName = "TargetImage";
        public string InstructionColumnName = "Instruction";
        public string OutputColumnName = "EditedImage";
        /// <summary>The prior to start from (default: the shipped one).</summary>
        public string? PriorFolder;
        public int Steps = 1500;
        public int BatchSize = 8;
        public double LearningRate = 1e-4;
        public double Beta1 = 0.9;
        public double Beta2 = 0.99;
        public double GradientClip = 2.0;
        /// <summary>Stop early once this much training time has passed (equal-budget comparisons).</summary>
        public TimeSpan? TimeBudget;
        /// <summary>The text encoder's learning rate as a multiple of <see cref="LearningRate"/> (0 freezes it): how much
        /// of learning an instruction is the text side's (an experiment knob; 1 = one rate for all).</summary>
        public double TextEncoderLearningRateScale = 1.0;
        public int SamplingSteps = 4;
        /// <summary>How the fitted editor samples: Euler on the ODE (the paper bench's row), or NP-Edit's re-noising sampler.</summary>
        public SamplerMode SamplerMode = SamplerMode.Euler;
        public double TimeShift = 3.0;
        public long Seed = 0;
        public DeviceOption Device = DeviceOption.Auto;
        public int Threads = 0;
        public string? CheckpointFolder;
        public int CheckpointInterval = 250;
        public ILogger? Logger;
        public IProgress<TrainingProgress>? Progress;
    }

    private readonly MLContext _context;

    public SupervisedEditTrainer(MLContext context, Options options)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        TrainerOptions = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Steps <= 0 || options.BatchSize <= 0 || options.SamplingSteps <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), $"Steps, BatchSize and SamplingSteps must be positive, got {options.Steps}, {options.BatchSize} and {options.SamplingSteps}.");
        if (!(options.TextEncoderLearningRateScale >= 0)) throw new ArgumentOutOfRangeException(nameof(options), $"TextEncoderLearningRateScale must be 0 or more, got {options.TextEncoderLearningRateScale}.");
        if (!(options.LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(options), $"LearningRate must be positive, got {options.LearningRate}.");
    }

    public Options TrainerOptions { get; }
    public long StepsDone { get; private set; }
    public TimeSpan LastFitDuration { get; private set; }
    public IReadOnlyList<(long Step, IReadOnlyDictionary<string, double> Losses)> LossHistory { get; private set; } = Array.Empty<(long, IReadOnlyDictionary<string, double>)>();

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        Validate(inputSchema);
        return SchemaChecks.Append(inputSchema, (TrainerOptions.OutputColumnName, new ImageDataViewType()), ("EditError", TextDataViewType.Instance));
    }

    private void Validate(SchemaShape schema)
    {
        SchemaChecks.RequireImage(schema, TrainerOptions.ImageColumnName, "source image");
        SchemaChecks.RequireImage(schema, TrainerOptions.TargetImageColumnName, "target image");
        SchemaChecks.RequireText(schema, TrainerOptions.InstructionColumnName, "instruction");
    }

    public NpEditTransformer Fit(IDataView input)
    {
        var o = TrainerOptions;
        Validate(SchemaChecks.ShapeOf(input.Schema));
        TorchRuntime.EnsureInitialized();
        TorchRuntime.SetThreads(o.Threads);
        var device = TorchRuntime.ResolveDevice(o.Device, _context);
        torch.manual_seed(o.Seed);
        var model = FlowModelStore.Load(o.PriorFolder ?? ShippedModels.PriorFolder, device);
        model.train();
        using var optimizer = new AdamW(model.named_parameters().Select(p => (p.name, p.parameter)), o.LearningRate, o.Beta1, o.Beta2);
        if (o.TextEncoderLearningRateScale != 1.0) optimizer.LearningRateScales["text_encoder."] = o.TextEncoderLearningRateScale;
        var checkpoints = o.CheckpointFolder is null ? null : new CheckpointFolder(o.CheckpointFolder);
        long start = 0, consumed = 0;
        double spent = 0;
        if (checkpoints?.TryLoadLatest() is { } checkpoint)
        {
            var weights = checkpoint.Load("model");
            var state = checkpoint.Load("optimizer");
            StateDictIO.LoadStrict(model, weights, checkpoint.Folder);
            optimizer.LoadState(state, checkpoint.Folder);
            foreach (var t in weights.Values.Concat(state.Values)) t.Dispose();
            start = checkpoint.Step;
            consumed = long.Parse(checkpoint.State["consumed_rows"]);
            spent = double.Parse(checkpoint.State["seconds"], System.Globalization.CultureInfo.InvariantCulture);
            checkpoint.LogResume(o.Logger);
        }
        using var rows = new RowStream<(RgbImage Source, RgbImage Target, string Instruction)>(input,
            new[] { o.ImageColumnName, o.TargetImageColumnName, o.InstructionColumnName }, row =>
            {
                var source = ImageColumnReader.Bind(row, o.ImageColumnName);
                var target = ImageColumnReader.Bind(row, o.TargetImageColumnName);
                var instruction = ImageColumnReader.BindText(row, o.InstructionColumnName);
                return () => (source(), target(), instruction());
            });
        rows.SkipTo(consumed);
        var tracker = new ProgressTracker("supervised", start, o.Steps, o.Logger, o.Progress);
        var clock = Stopwatch.StartNew();
        int size = model.Config.ImageSize;
        long step = start;
        for (; step < o.Steps; step++)
        {
            if (o.TimeBudget is { } budget && spent + clock.Elapsed.TotalSeconds >= budget.TotalSeconds) break;
            var batch = rows.Next(o.BatchSize);
            double loss;
            using (var scope = NewDisposeScope())
            {
                Tensor Pixels(IEnumerable<RgbImage> images)
                {
                    var t = ImageTensors.ToBatch(images.ToList(), device);
                    return t.shape[2] == size ? t : ImageTensors.Resize(t, size, size);
                }
                var y = model.Codec.Encode(Pixels(batch.Select(b => b.Source)));
                var x0 = model.Codec.Encode(Pixels(batch.Select(b => b.Target)));
                using var generator = StepRandom.Torch(o.Seed, step, 40);
                var t = TimeSampling.Sample(TimeDistribution.LogitNormal, batch.Count, generator, device, shift: o.TimeShift);
                var noise = torch.randn(x0.shape, generator: generator).to(device);
                optimizer.ZeroGrad();
                var value = FlowMatchingLoss.Compute(model, x0, model.EncodeText(batch.Select(b => b.Instruction).ToList()), t, noise, reference: y);
                loss = value.item<float>();
                if (double.IsFinite(loss))
                {
                    value.backward();
                    if (optimizer.GradientsAreFinite())
                    {
                        optimizer.ClipGradNorm(o.GradientClip);
                        optimizer.Step();
                    }
                }
            }
            tracker.Report(step + 1, new Dictionary<string, double> { ["flow"] = loss }, 0);
            if (checkpoints is not null && (step + 1) % o.CheckpointInterval == 0)
            {
                Save(checkpoints, step + 1, model, optimizer, rows.Consumed, spent + clock.Elapsed.TotalSeconds);
            }
        }
        if (checkpoints is not null && step > start) Save(checkpoints, step, model, optimizer, rows.Consumed, spent + clock.Elapsed.TotalSeconds);
        StepsDone = step;
        LastFitDuration = TimeSpan.FromSeconds(spent) + clock.Elapsed;
        LossHistory = tracker.History;
        o.Logger?.LogInformation("Supervised baseline: {Steps} steps in {Minutes:F1} min", step, LastFitDuration.TotalMinutes);
        model.eval();
        foreach (var p in model.parameters()) p.requires_grad = false;
        return new NpEditTransformer(model, new NpEditTransformerOptions
        {
            ImageColumnName = o.ImageColumnName,
            InstructionColumnName = o.InstructionColumnName,
            OutputColumnName = o.OutputColumnName,
            Sampler = new SamplerOptions { Steps = o.SamplingSteps, Shift = o.TimeShift, Mode = o.SamplerMode },
            Seed = o.Seed,
        });
    }

    private static void Save(CheckpointFolder folder, long step, FlowModel model, AdamW optimizer, long consumed, double seconds) =>
        folder.Save(step,
            new Dictionary<string, IReadOnlyDictionary<string, Tensor>> { ["model"] = model.state_dict(), ["optimizer"] = optimizer.StateTensors() },
            new Dictionary<string, string>
            {
                ["consumed_rows"] = consumed.ToString(),
                ["seconds"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
}
