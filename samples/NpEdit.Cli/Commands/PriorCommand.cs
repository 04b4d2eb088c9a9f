using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using NpEdit.Cli.Infrastructure;
using NpEdit.Trainers.DefaultWorld;
using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Losses;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.TextToImage;
using NpEdit.Transforms;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.IO;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using NpEdit.Transforms.Sampling;

namespace NpEdit.Cli.Commands;

/// <summary><c>npedit prior ...</c>: the default world's text-to-image prior (train, sample, eval).</summary>
internal static class PriorCommand
{
    internal const string DefaultFolder = "models/shapes-prior";

    public static Command Create()
    {
        var command = new Command("prior", "The text-to-image flow prior NP-Edit starts from.");
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Sample());
        command.Subcommands.Add(Eval());
        command.Subcommands.Add(DmdCheck());
        command.Subcommands.Add(PriorDistillCommand.Create());
        command.Subcommands.Add(PriorSdEditCommand.Create());
        return command;
    }

    private static Command DmdCheck()
    {
        var model = new Option<string>("--model") { Description = "Prior folder (the DMD teacher).", DefaultValueFactory = _ => DefaultFolder };
        var count = CommonOptions.Count(64);
        var seed = CommonOptions.Seed(1);
        var type = new Option<EditType>("--type") { Description = "Edit category of the held-out rows.", DefaultValueFactory = _ => EditType.Color };
        var steps = new Option<int>("--steps") { Description = "Steps along the DMD gradient.", DefaultValueFactory = _ => 10 };
        var lr = new Option<double>("--lr") { Description = "Step size (a step of 1 moves to DMD's regression target).", DefaultValueFactory = _ => 0.05 };
        var guidance = new Option<double>("--guidance") { Description = "The teacher's classifier-free guidance scale.", DefaultValueFactory = _ => 3.5 };
        var timeMin = new Option<double>("--time-min") { Description = "Smallest re-noising time.", DefaultValueFactory = _ => 0.02 };
        var timeMax = new Option<double>("--time-max") { Description = "Largest re-noising time.", DefaultValueFactory = _ => 0.98 };
        var fake = new Option<FakeScoreStandIn>("--fake") { Description = "Stand-in for the fake score: the prior on the source caption (a generator that copies) or on the edited caption (DMD's first step).", DefaultValueFactory = _ => FakeScoreStandIn.SourceCaption };
        var dmdSheet = new Option<string?>("--sheet") { Description = "Write a contact sheet (source, result, target) of the first 24 rows here." };
        var pool = new Option<int>("--gradient-pool") { Description = "Average DMD's gradient over blocks of this size (1 = the raw gradient).", DefaultValueFactory = _ => 1 };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("dmdcheck", "From the source image of held-out edits, follow DMD's gradient (teacher: this prior on the edited caption) on the pixels; report what the oracle sees.")
        {
            model, count, seed, type, steps, lr, guidance, timeMin, timeMax, fake, pool, dmdSheet, device, threads,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            using var prior = FlowModelStore.Load(parse.GetValue(model)!, TorchRuntime.ResolveDevice(parse.GetValue(device))).Freeze();
            var clock = Stopwatch.StartNew();
            var r = DistributionMatchingCheck.Run(prior, parse.GetValue(count), parse.GetValue(seed), parse.GetValue(type), parse.GetValue(steps), parse.GetValue(lr),
                parse.GetValue(guidance), parse.GetValue(timeMin), parse.GetValue(timeMax), parse.GetValue(fake), parse.GetValue(pool));
            if (parse.GetValue(dmdSheet) is { } sheetPath)
            {
                ImageEncoding.SavePng(EditEvaluation.ContactSheet(r.Rows.Take(24)), sheetPath);
                Console.WriteLine($"Contact sheet: {sheetPath}");
            }
            Console.WriteLine($"{r.Count} {r.EditType} edits, {parse.GetValue(steps)} DMD steps of {parse.GetValue(lr)}: oracle edit success {r.OracleEditSuccess:F3}, preserved {r.OraclePreserved:F3}, exact {r.OracleExact:F3}; mean |pixel change| {r.MeanAbsolutePixelChange:F3} ({clock.Elapsed.TotalSeconds:F0} s)");
            JsonLine.Write(r);
            return 0;
        });
        return command;
    }

    private static Command Train()
    {
        var steps = new Option<int>("--steps") { Description = "Training steps (the shipped prior: 6000, then 1500 more with --init, see its manifest).", DefaultValueFactory = _ => 6000 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 1e-3 };
        var rows = new Option<long>("--rows") { Description = "Distinct world rows to cycle through.", DefaultValueFactory = _ => 1_000_000 };
        var output = new Option<string>("--out") { Description = "Model folder to write.", DefaultValueFactory = _ => DefaultFolder };
        var checkpoints = new Option<string>("--checkpoints") { Description = "Checkpoint folder (resumes when it holds one).", DefaultValueFactory = _ => "runs/prior/checkpoints" };
        var evalCount = new Option<int>("--eval-count") { Description = "Held-out captions to evaluate after training (0 = skip).", DefaultValueFactory = _ => 1000 };
        var timeShift = new Option<double>("--time-shift") { Description = "Shift of the training-time distribution (larger = more training at high noise).", DefaultValueFactory = _ => 3.0 };
        var finalTimeShift = new Option<double?>("--final-time-shift") { Description = "Training-time shift at the last step; the shift moves geometrically from --time-shift to it (a curriculum from layout to detail). Default: --time-shift throughout." };
        var finalLr = new Option<double>("--final-lr-ratio") { Description = "The cosine ends at this fraction of the peak learning rate.", DefaultValueFactory = _ => 0.1 };
        var timeDistribution = new Option<TimeDistribution>("--time-distribution") { Description = "Training times before the shift: LogitNormal (SD3; the shipped prior) or Uniform (more training at low and high noise).", DefaultValueFactory = _ => TimeDistribution.LogitNormal };
        var warmup = new Option<int>("--warmup") { Description = "Linear learning-rate warm-up steps.", DefaultValueFactory = _ => 200 };
        var hidden = new Option<int?>("--hidden") { Description = "Transformer width (default: the shipped prior's)." };
        var depth = new Option<int?>("--depth") { Description = "Transformer blocks (default: the shipped prior's)." };
        var patch = new Option<int?>("--patch-size") { Description = "Pixels per patch side (default: the shipped prior's)." };
        var foreground = new Option<double>("--foreground-weight") { Description = "Extra loss weight of pixels unlike the image's background (0 = plain mean squared error, the shipped prior).", DefaultValueFactory = _ => 0.0 };
        var objectCurriculum = new Option<long>("--object-curriculum-rows") { Description = "0 (the shipped prior): every training row shows 1-3 objects. N: row i shows at most 1 + i/N objects, so training starts on single-object scenes and sees every scene from row 2N on.", DefaultValueFactory = _ => 0L };
        var prediction = new Option<FlowPrediction?>("--prediction") { Description = "What a new model's output layer predicts: Velocity (the shipped prior) or Clean (the clean image, turned into a velocity; lets patches wider than the model pass). Default: the shipped prior's." };
        var init = new Option<string?>("--init") { Description = "Continue from this prior folder's weights instead of a new model (its architecture wins over --hidden/--depth/--patch-size/--prediction)." };
        var cellProbe = new Option<double>("--cell-probe-weight") { Description = "Weight of an auxiliary loss: a linear read-out of the transformer's image tokens after --cell-probe-blocks blocks must name what each world cell holds (shape, colour, size, background), at every noise level (0 = off, the shipped prior).", DefaultValueFactory = _ => 0.0 };
        var cellProbeBlocks = new Option<int>("--cell-probe-blocks") { Description = "The cell probe reads the image tokens after this many transformer blocks.", DefaultValueFactory = _ => 3 };
        var instructionText = new Option<double>("--instruction-text-p") { Description = "Share of rows captioned by an edit instruction that the image fulfils (\"make the circle blue\" under a blue circle; one image per row).", DefaultValueFactory = _ => 0.0 };
        var sampleShift = SampleShift();
        var seed = CommonOptions.Seed();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("train", "Pretrain the shapes prior on the default world, or continue one with --init (models/shapes-prior's manifest gives its two commands).")
        {
            steps, batch, lr, rows, output, checkpoints, evalCount, timeShift, finalTimeShift, finalLr, timeDistribution, foreground, cellProbe, cellProbeBlocks, objectCurriculum, warmup, hidden, depth, patch, prediction, init, instructionText, sampleShift, seed, device, threads,
        };
        command.SetAction(parse =>
        {
            using var logging = Logging.Create();
            var context = new MLContext(seed: parse.GetValue(seed));
            double instructionShare = parse.GetValue(instructionText);
            if (instructionShare is < 0 or > 1) throw new ArgumentException($"--instruction-text-p must be in [0, 1], got {instructionShare}.");
            var data = WorldDataViews.TextToImageRows(context, parse.GetValue(rows), parse.GetValue(seed), instructionTextProbability: instructionShare, objectCurriculumRows: parse.GetValue(objectCurriculum));
            var options = new TextToImageFlowTrainer.Options
            {
                ModelConfig = parse.GetValue(init) is null ? Architecture(parse.GetValue(hidden), parse.GetValue(depth), parse.GetValue(patch), parse.GetValue(prediction)) : null,
                InitialModelFolder = parse.GetValue(init),
                TimeShift = parse.GetValue(timeShift),
                FinalTimeShift = parse.GetValue(finalTimeShift),
                FinalLearningRateRatio = parse.GetValue(finalLr),
                TimeDistribution = parse.GetValue(timeDistribution),
                ForegroundWeight = parse.GetValue(foreground),
                CellProbeWeight = parse.GetValue(cellProbe),
                CellProbeBlocks = parse.GetValue(cellProbeBlocks),
                SceneColumnName = parse.GetValue(cellProbe) > 0 ? WorldColumns.SceneJson : null,
                WarmupSteps = parse.GetValue(warmup),
                Steps = parse.GetValue(steps),
                BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(lr),
                Seed = parse.GetValue(seed),
                Device = parse.GetValue(device),
                Threads = parse.GetValue(threads),
                CheckpointFolder = parse.GetValue(checkpoints),
                Logger = logging.CreateLogger("prior"),
            };
            var trainer = new TextToImageFlowTrainer(context, options);
            var clock = Stopwatch.StartNew();
            using var prior = TrainingDisplay.Run("prior", options.Steps, progress =>
            {
                options.Progress = progress;
                return trainer.Fit(data);
            });
            double trainSeconds = trainer.LastFitDuration.TotalSeconds;

            var metrics = new Dictionary<string, double>();
            if (parse.GetValue(evalCount) > 0)
            {
                var result = Evaluate(prior, parse.GetValue(evalCount), seed: 1, EvalSampler(16, parse.GetValue(sampleShift)));
                metrics["attribute_accuracy"] = result.AttributeAccuracy;
                metrics["exact_match"] = result.ExactMatch;
                metrics["eval_count"] = result.Count;
                foreach (var (k, v) in result.ByAttribute) metrics[$"accuracy_{k}"] = v;
            }
            var record = ThisRun.Record(options.Seed, options.Steps, trainSeconds, new Dictionary<string, string>
            {
                ["batch_size"] = options.BatchSize.ToString(),
                ["learning_rate"] = options.LearningRate.ToString("G"),
                ["ema_decay"] = options.EmaDecay.ToString("G"),
                ["text_dropout"] = options.TextDropout.ToString("G"),
                ["time_distribution"] = options.TimeDistribution.ToString(),
                ["time_shift"] = options.TimeShift.ToString("G"),
                ["final_time_shift"] = (options.FinalTimeShift ?? options.TimeShift).ToString("G"),
                ["final_learning_rate_ratio"] = options.FinalLearningRateRatio.ToString("G"),
                ["foreground_weight"] = options.ForegroundWeight.ToString("G"),
                ["cell_probe_weight"] = options.CellProbeWeight.ToString("G"),
                ["cell_probe_blocks"] = options.CellProbeBlocks.ToString(),
                ["object_curriculum_rows"] = parse.GetValue(objectCurriculum).ToString(),
                ["warmup_steps"] = options.WarmupSteps.ToString(),
                ["eval_sample_shift"] = parse.GetValue(sampleShift).ToString("G"),
                ["world_rows"] = parse.GetValue(rows).ToString(),
                ["instruction_text_probability"] = instructionShare.ToString("G"),
                ["initial_model"] = parse.GetValue(init) ?? "",
                ["note"] = "wall_time_seconds counts this process only; a resumed run adds to it",
            });
            FlowModelStore.Save(prior.Model, parse.GetValue(output)!, record, metrics);
            Console.WriteLine($"Prior written to {parse.GetValue(output)} after {trainSeconds / 60:F1} min of training.");
            var summary = new Dictionary<string, double>(metrics) { ["train_seconds"] = trainSeconds, ["total_seconds"] = clock.Elapsed.TotalSeconds };
            JsonLine.Write(summary);
            return 0;
        });
        return command;
    }

    private static Command Sample()
    {
        var caption = new Option<string>("--caption") { Description = "What to draw.", Required = true };
        var steps = new Option<int>("--steps") { Description = "Sampling steps.", DefaultValueFactory = _ => 16 };
        var guidance = new Option<double>("--guidance") { Description = "Classifier-free guidance scale.", DefaultValueFactory = _ => 3.0 };
        var count = CommonOptions.Count(1);
        var model = new Option<string>("--model") { Description = "Prior folder.", DefaultValueFactory = _ => DefaultFolder };
        var output = new Option<string>("--out") { Description = "PNG to write (a grid when --count > 1).", Required = true };
        var seed = CommonOptions.Seed();
        var scale = new Option<int>("--scale") { Description = "Upscale factor of the written PNG (nearest neighbour).", DefaultValueFactory = _ => 4 };
        var shift = SampleShift();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("sample", "Draw images for a caption.") { caption, steps, guidance, count, model, output, seed, scale, shift, device, threads };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            using var prior = TextToImageTransformer.Load(parse.GetValue(model)!, device: TorchRuntime.ResolveDevice(parse.GetValue(device)));
            var captions = Enumerable.Repeat(parse.GetValue(caption)!, parse.GetValue(count)).ToList();
            var images = prior.Generate(captions, parse.GetValue(seed), EvalSampler(parse.GetValue(steps), parse.GetValue(shift)) with { GuidanceScale = parse.GetValue(guidance) });
            var sheet = new ContactSheet(columns: Math.Min(8, images.Count), scale: parse.GetValue(scale));
            foreach (var image in images) sheet.Add(image);
            ImageEncoding.SavePng(sheet.Build(), parse.GetValue(output)!);
            Console.WriteLine($"Wrote {parse.GetValue(output)}: {images.Count} sample(s) of \"{parse.GetValue(caption)}\"; the oracle reads the first as: {SceneParser.Parse(images[0])}");
            return 0;
        });
        return command;
    }

    private static Command Eval()
    {
        var count = CommonOptions.Count(1000);
        var steps = new Option<int>("--steps") { Description = "Sampling steps.", DefaultValueFactory = _ => 16 };
        var guidance = new Option<double>("--guidance") { Description = "Classifier-free guidance scale.", DefaultValueFactory = _ => 3.0 };
        var model = new Option<string>("--model") { Description = "Prior folder.", DefaultValueFactory = _ => DefaultFolder };
        var sheet = new Option<string?>("--sheet") { Description = "Write a contact sheet of the first 64 samples here." };
        var seed = CommonOptions.Seed(1);
        var shift = SampleShift();
        var mode = new Option<SamplerMode>("--mode") { Description = "Euler (the prior's ODE) or Renoise (predict x0, re-noise with fresh noise: how NP-Edit's few-step students sample).", DefaultValueFactory = _ => SamplerMode.Euler };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var guidanceMin = new Option<double>("--guidance-min-time") { Description = "Guide only at times at or above this (guidance interval).", DefaultValueFactory = _ => 0.0 };
        var guidanceMax = new Option<double>("--guidance-max-time") { Description = "Guide only at times at or below this (guidance interval).", DefaultValueFactory = _ => 1.0 };
        var command = new Command("eval", "Oracle-measured fidelity to held-out captions.") { count, steps, guidance, guidanceMin, guidanceMax, model, sheet, seed, shift, mode, device, threads };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            using var prior = TextToImageTransformer.Load(parse.GetValue(model)!, device: TorchRuntime.ResolveDevice(parse.GetValue(device)));
            var sampler = EvalSampler(parse.GetValue(steps), parse.GetValue(shift)) with
            {
                GuidanceScale = parse.GetValue(guidance),
                GuidanceMinTime = parse.GetValue(guidanceMin),
                GuidanceMaxTime = parse.GetValue(guidanceMax),
                Mode = parse.GetValue(mode),
            };
            var result = EvaluateWithSheet(prior, parse.GetValue(count), parse.GetValue(seed), sampler, parse.GetValue(sheet));
            Console.WriteLine($"{result.Count} held-out captions, {parse.GetValue(steps)} steps, CFG {sampler.GuidanceScale}: attribute accuracy {result.AttributeAccuracy:F3}, exact match {result.ExactMatch:F3} ({result.Seconds:F0} s)");
            foreach (var (k, v) in result.ByAttribute.OrderBy(k => k.Key)) Console.WriteLine($"  {k,-10} {v:F3}");
            var json = new Dictionary<string, object>
            {
                ["attribute_accuracy"] = result.AttributeAccuracy,
                ["exact_match"] = result.ExactMatch,
                ["count"] = result.Count,
                ["steps"] = parse.GetValue(steps),
                ["by_attribute"] = result.ByAttribute,
            };
            JsonLine.Write(json);
            return 0;
        });
        return command;
    }

    private static SamplerOptions EvalSampler(int steps, double shift) => new() { Steps = steps, Shift = shift, GuidanceScale = 3.0, Mode = SamplerMode.Euler };

    private static Option<double> SampleShift() => new("--shift")
    {
        Description = "Time shift of the sampling schedule.",
        DefaultValueFactory = _ => 3.0,
    };

    /// <summary>The shipped prior's architecture, with any size the command line overrides.</summary>
    private static FlowModelConfig Architecture(int? hidden, int? depth, int? patch, FlowPrediction? prediction)
    {
        var config = ShapesDefaults.PriorConfig();
        var t = config.Transformer;
        t = t with { Hidden = hidden ?? t.Hidden, Depth = depth ?? t.Depth, PatchSize = patch ?? t.PatchSize, TextHidden = hidden ?? t.TextHidden, Prediction = prediction ?? t.Prediction };
        // Rotary axes must fill the head dimension: 8 for the frame, the rest split between rows and columns.
        int head = t.Hidden / t.Heads, spatial = (head - 8) / 4 * 2;
        t = t with { RopeAxes = new[] { head - 2 * spatial, spatial, spatial } };
        return config with { Transformer = t, Text = config.Text with { Hidden = hidden ?? config.Text.Hidden } };
    }

    private static PriorEvaluationResult Evaluate(TextToImageTransformer prior, int count, int seed, SamplerOptions sampler,
        Action<IReadOnlyList<(RgbImage Image, string Caption)>>? onBatch = null) =>
        TrainingDisplay.Count("evaluating", count, progress => PriorEvaluation.Run(prior, count, seed, sampler, progress: progress, onBatch: onBatch));

    /// <summary><see cref="Evaluate"/>, and with a path, a contact sheet of the first 64 samples, each under its caption:
    /// the only way to judge fidelity by eye.</summary>
    internal static PriorEvaluationResult EvaluateWithSheet(TextToImageTransformer prior, int count, int seed, SamplerOptions sampler, string? sheetPath)
    {
        var samples = new List<(RgbImage Image, string Caption)>();
        var result = Evaluate(prior, count, seed, sampler, sheetPath is null ? null : batch => samples.AddRange(batch.Take(64 - samples.Count)));
        if (sheetPath is not null)
        {
            var contact = new ContactSheet(columns: 8, scale: 3);
            foreach (var (image, caption) in samples) contact.Add(image, caption.ToUpperInvariant());
            ImageEncoding.SavePng(contact.Build(), sheetPath);
            Console.WriteLine($"Contact sheet: {sheetPath}");
        }
        return result;
    }
}
