using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Training;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms;
using NpEdit.Transforms.Data;
using NpEdit.Transforms.IO;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Editing;

/// <summary>
/// Trains an instruction-following image editor without before/after pairs (NP-Edit, ALGORITHM.md): a text-to-image
/// prior is fine-tuned into a few-step editor from (image, instruction, captions) rows, with a frozen VLM judge's
/// Yes/No logits and distribution matching against the prior as its only supervision. The result is an
/// <see cref="NpEditTransformer"/>. Training checkpoints (student, fake score, both optimisers, counters) resume
/// exactly; all randomness derives from (seed, step).
/// </summary>
public sealed partial class NpEditTrainer : IEstimator<NpEditTransformer>
{
    private readonly MLContext _context;

    public NpEditTrainer(MLContext context, Options options)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        TrainerOptions = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Steps < 1 || options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "Steps and BatchSize must be positive.");
        if (!options.UseReference && options.WarmupCopySteps > 0)
            throw new ArgumentOutOfRangeException(nameof(options), $"A student without a reference image (UseReference = false) has nothing to copy: WarmupCopySteps must be 0, got {options.WarmupCopySteps}.");
        if (options.WarmupCopySteps > options.Steps) throw new ArgumentOutOfRangeException(nameof(options), "WarmupCopySteps cannot exceed Steps.");
        if (options.RefineTime is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(options), $"RefineTime must be in [0, 1) (0 = no refinement), got {options.RefineTime}.");
        if (options.WarmupInstructionProbability is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(options), $"WarmupInstructionProbability must be in [0, 1], got {options.WarmupInstructionProbability}.");
        if (options.DmdTimeMin is < 0 or > 1 || options.DmdTimeMax is < 0 or > 1 || options.DmdTimeMin > options.DmdTimeMax)
            throw new ArgumentOutOfRangeException(nameof(options), $"DMD times must satisfy 0 <= DmdTimeMin <= DmdTimeMax <= 1, got [{options.DmdTimeMin}, {options.DmdTimeMax}].");
        if (options.Beta1 is < 0 or >= 1 || options.Beta2 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"AdamW betas must be in [0, 1), got Beta1 {options.Beta1} and Beta2 {options.Beta2}.");
        // Checked here, not after an hour of training when the transformer is built.
        if (options.TextWriterFolder is { } writerFolder) JudgeStore.ReadManifest(writerFolder);
        if (options.WriterTextProbability is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"WriterTextProbability must be in [0, 1], got {options.WriterTextProbability}.");
        if (options.WriterTextProbability > 0 && options.TextWriterFolder is null)
            throw new ArgumentException($"WriterTextProbability is {options.WriterTextProbability} but no TextWriterFolder is set: the student can only read a writer's captions if there is a writer.", nameof(options));
        if (options.EditedCaptionTextProbability is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"EditedCaptionTextProbability must be in [0, 1], got {options.EditedCaptionTextProbability}.");
        if (options.CaptionConsistencyWeight < 0)
            throw new ArgumentOutOfRangeException(nameof(options), $"CaptionConsistencyWeight must be 0 (off) or positive, got {options.CaptionConsistencyWeight}.");
        if (options.DmdGradientPool < 1) throw new ArgumentOutOfRangeException(nameof(options), $"DmdGradientPool must be at least 1 (1 = off), got {options.DmdGradientPool}.");
        if (options.DmdSamples < 1) throw new ArgumentOutOfRangeException(nameof(options), $"DmdSamples must be at least 1, got {options.DmdSamples}.");
        if (options.VlmAugmentedCopies < 0) throw new ArgumentOutOfRangeException(nameof(options), $"VlmAugmentedCopies must be 0 (off) or positive, got {options.VlmAugmentedCopies}.");
    }

    public Options TrainerOptions { get; }

    /// <summary>Per-step loss terms of the last <see cref="Fit"/>.</summary>
    public IReadOnlyList<(long Step, IReadOnlyDictionary<string, double> Losses)> LossHistory { get; private set; } = Array.Empty<(long, IReadOnlyDictionary<string, double>)>();

    /// <summary>Generator steps skipped because a loss or gradient was not finite (last <see cref="Fit"/>).</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>Training time of the last <see cref="Fit"/>, including the time of earlier processes it resumed from.</summary>
    public TimeSpan LastFitDuration { get; private set; }

    /// <summary>Test hook: the step runner of the last <see cref="Fit"/> (models, optimisers, last unroll).</summary>
    internal NpEditStepRunner? LastRunner { get; private set; }

    /// <summary>Test hook: keep the last step's graph and leave teacher, fake score and judge alive after Fit.</summary>
    internal bool InspectLastStep { get; set; }

    /// <summary>Test hook: steps (0-based) whose generator loss is made NaN, to prove a bad step is skipped safely.</summary>
    internal Func<long, bool>? PoisonStep { get; set; }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ValidateSchema(inputSchema);
        return SchemaChecks.Append(inputSchema,
            (TrainerOptions.OutputColumnName, new ImageDataViewType()),
            ("EditError", TextDataViewType.Instance));
    }

    private void ValidateSchema(SchemaShape schema)
    {
        var o = TrainerOptions;
        if (!SchemaChecks.TryFind(schema, o.ImageColumnName, out var image))
            throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for image column '{o.ImageColumnName}': column not found (expected Image or Vector<Byte>).");
        bool imageOk = image.Kind == SchemaShape.Column.VectorKind.Scalar ? image.ItemType is ImageDataViewType : image.ItemType == NumberDataViewType.Byte;
        if (!imageOk)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for image column '{o.ImageColumnName}': expected Image or Vector<Byte>, got {image.ItemType}.");
        SchemaChecks.RequireText(schema, o.InstructionColumnName, "instruction");
        SchemaChecks.RequireText(schema, o.SourceCaptionColumnName, "source caption");
        if (o.UseDmdLoss) SchemaChecks.RequireText(schema, o.EditedCaptionColumnName, "edited caption");
        else SchemaChecks.OptionalText(schema, o.EditedCaptionColumnName, "edited caption");
        SchemaChecks.OptionalText(schema, o.EditTypeColumnName, "edit type");
        SchemaChecks.OptionalText(schema, o.EditObjectColumnName, "edit object");
        if (o.UseEditQuestion)
            SchemaChecks.RequireText(schema, o.EditQuestionColumnName ?? throw new ArgumentException("UseEditQuestion needs EditQuestionColumnName."), "edit question");
        else SchemaChecks.OptionalText(schema, o.EditQuestionColumnName, "edit question");
    }

    public NpEditTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = TrainerOptions;
        ValidateSchema(SchemaChecks.ShapeOf(input.Schema));
        TorchRuntime.EnsureInitialized();
        TorchRuntime.SetThreads(o.Threads);
        var device = TorchRuntime.ResolveDevice(o.Device, _context);
        o.Logger?.LogInformation("NP-Edit training on {Runtime}", TorchRuntime.Describe(device));

        string priorFolder = o.PriorFolder ?? ShippedModels.PriorFolder;
        string judgeFolder = o.JudgeFolder ?? ShippedModels.JudgeFolder;
        torch.manual_seed(o.Seed);
        var student = FlowModelStore.Load(priorFolder, device);
        student.train();
        var teacher = student.Clone().Freeze();
        // Only the online fake score trains a model of its own; the other settings would copy and checkpoint a
        // student-sized model that nothing reads.
        var fake = o.UseDmdLoss && o.FakeScore == FakeScoreKind.Online ? student.Clone() : null;
        fake?.train();
        YesNoScorer? judge = null;
        if (o.UseVlmLoss)
        {
            var (judgeModel, tokenizer, systemPrompt) = JudgeStore.Load(judgeFolder, device);
            judge = new YesNoScorer(judgeModel, tokenizer, freeze: true, systemPrompt);
        }

        using var studentOptimizer = new AdamW(student.named_parameters().Select(p => (p.name, p.parameter)), o.LearningRate, o.Beta1, o.Beta2);
        using var fakeOptimizer = fake is null ? null : new AdamW(fake.named_parameters().Select(p => (p.name, p.parameter)), o.FakeLearningRate, o.Beta1, o.Beta2);
        using var trainingWriter = o.WriterTextProbability > 0 ? VlmEditTextWriter.FromFolder(o.TextWriterFolder!, device) : null;
        var runner = new NpEditStepRunner(o, student, teacher, fake, judge, studentOptimizer, fakeOptimizer, device)
        {
            KeepGraphForInspection = InspectLastStep, PoisonStep = PoisonStep, TrainingWriter = trainingWriter,
        };
        LastRunner = runner;

        var checkpoints = o.CheckpointFolder is null ? null : new CheckpointFolder(o.CheckpointFolder);
        long start = 0, skipped = 0, consumed = 0;
        double spent = 0;
        if (checkpoints?.TryLoadLatest() is { } checkpoint)
        {
            Restore(checkpoint, runner);
            start = checkpoint.Step;
            skipped = long.Parse(checkpoint.State["skipped"]);
            consumed = long.Parse(checkpoint.State["consumed_rows"]);
            // Checkpoints from before the time was recorded resume with only this process's time.
            if (checkpoint.State.TryGetValue("seconds", out var seconds)) spent = double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture);
            checkpoint.LogResume(o.Logger);
        }

        var columns = new List<string> { o.ImageColumnName, o.InstructionColumnName, o.SourceCaptionColumnName };
        foreach (var optional in new[] { o.EditedCaptionColumnName, o.EditTypeColumnName, o.EditObjectColumnName, o.EditQuestionColumnName })
        {
            if (!string.IsNullOrEmpty(optional) && input.Schema.GetColumnOrNull(optional) is not null) columns.Add(optional);
        }
        using var rows = new RowStream<EditRow>(input, columns, row => BindRow(row, o));
        rows.SkipTo(consumed);
        var tracker = new ProgressTracker("np-edit", start, o.Steps, o.Logger, o.Progress, logEvery: 25);

        for (long step = start; step < o.Steps; step++)
        {
            o.Cancellation.ThrowIfCancellationRequested();
            var batch = rows.Next(o.BatchSize);
            var losses = step < o.WarmupCopySteps
                ? runner.CopyStep(batch, step)
                : runner.EditStep(batch, step, step - o.WarmupCopySteps);
            bool failed = losses.ContainsKey("skipped") || losses.Values.Any(v => double.IsNaN(v));
            if (failed)
            {
                skipped++;
                o.Logger?.LogWarning("Step {Step}: non-finite loss or gradient; update skipped ({Skipped} so far)", step + 1, skipped);
            }
            tracker.Report(step + 1, losses, skipped);
            if (checkpoints is not null && ((step + 1) % o.CheckpointInterval == 0 || step + 1 == o.Steps))
            {
                SaveCheckpoint(checkpoints, step + 1, runner, rows.Consumed, skipped, spent + tracker.Elapsed.TotalSeconds);
            }
        }
        if (rows.Failures.Count > 0)
        {
            o.Logger?.LogWarning("{Count} training rows could not be read and were skipped; first: row {Row}: {Error}", rows.Failures.Count, rows.Failures[0].Position, rows.Failures[0].Error);
        }

        SkippedSteps = skipped;
        LossHistory = tracker.History;
        LastFitDuration = TimeSpan.FromSeconds(spent) + tracker.Elapsed;
        // The refiner is the frozen prior the teacher already holds.
        var refiner = o.RefineTime > 0 ? teacher : null;
        if (!InspectLastStep)
        {
            if (refiner is null) teacher.Dispose();
            fake?.Dispose();
            judge?.Model.Dispose();
        }
        student.eval();
        foreach (var p in student.parameters()) p.requires_grad = false;
        return new NpEditTransformer(student, new NpEditTransformerOptions
        {
            ImageColumnName = o.ImageColumnName,
            InstructionColumnName = o.InstructionColumnName,
            OutputColumnName = o.OutputColumnName,
            Sampler = o.Sampler(),
            BatchSize = o.InferenceBatchSize,
            Seed = o.Seed,
            RefineTime = o.RefineTime,
        }, o.TextWriterFolder is null ? null : VlmEditTextWriter.FromFolder(o.TextWriterFolder, device), refiner);
    }

    private static Func<EditRow> BindRow(DataViewRow row, Options o)
    {
        var image = ImageColumnReader.Bind(row, o.ImageColumnName);
        var instruction = ImageColumnReader.BindText(row, o.InstructionColumnName);
        var sourceCaption = ImageColumnReader.BindText(row, o.SourceCaptionColumnName);
        var editedCaption = ImageColumnReader.BindText(row, o.EditedCaptionColumnName);
        var editType = ImageColumnReader.BindText(row, o.EditTypeColumnName);
        var editObject = ImageColumnReader.BindText(row, o.EditObjectColumnName);
        var editQuestion = ImageColumnReader.BindText(row, o.EditQuestionColumnName);
        return () =>
        {
            string type = editType();
            EditType? parsed = Enum.TryParse<EditType>(type.Replace("_", "").Replace("-", ""), ignoreCase: true, out var t) ? t : null;
            string source = sourceCaption();
            string edited = editedCaption();
            return new EditRow(image(), instruction(), source, string.IsNullOrEmpty(edited) ? source : edited, parsed, editObject(), editQuestion());
        };
    }

    private static void SaveCheckpoint(CheckpointFolder folder, long step, NpEditStepRunner runner, long consumed, long skipped, double seconds)
    {
        var groups = new Dictionary<string, IReadOnlyDictionary<string, Tensor>>
        {
            ["student"] = runner.Student.state_dict(),
            ["student_optimizer"] = runner.StudentOptimizer.StateTensors(),
        };
        if (runner.Fake is not null) groups["fake"] = runner.Fake.state_dict();
        if (runner.FakeOptimizer is not null) groups["fake_optimizer"] = runner.FakeOptimizer.StateTensors();
        folder.Save(step, groups,
            new Dictionary<string, string>
            {
                ["consumed_rows"] = consumed.ToString(),
                ["skipped"] = skipped.ToString(),
                ["seconds"] = seconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            });
    }

    private static void Restore(Checkpoint checkpoint, NpEditStepRunner runner)
    {
        void Into(string group, Action<Dictionary<string, Tensor>> apply)
        {
            var tensors = checkpoint.Load(group);
            try { apply(tensors); }
            finally { foreach (var t in tensors.Values) t.Dispose(); }
        }
        Into("student", t => StateDictIO.LoadStrict(runner.Student, t, $"{checkpoint.Folder}/student.safetensors"));
        Into("student_optimizer", t => runner.StudentOptimizer.LoadState(t, $"{checkpoint.Folder}/student_optimizer.safetensors"));
        // Checkpoints written before runs without an online fake score stopped saving one still hold it: it is ignored.
        if (runner.Fake is { } fake) Into("fake", t => StateDictIO.LoadStrict(fake, t, $"{checkpoint.Folder}/fake.safetensors"));
        if (runner.FakeOptimizer is { } fakeOptimizer) Into("fake_optimizer", t => fakeOptimizer.LoadState(t, $"{checkpoint.Folder}/fake_optimizer.safetensors"));
    }
}
