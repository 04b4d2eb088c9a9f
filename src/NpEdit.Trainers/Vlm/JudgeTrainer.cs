using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using NpEdit.Trainers.Training;
using NpEdit.Transforms.Data;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.IO;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Pretrains a VLM judge on Yes/No judge rows (one or two images, question, answer): teacher-forced answer-token
/// cross-entropy at the last prompt position, the same forward the NP-Edit trainer later differentiates. Training
/// images are perturbed like generator output (<see cref="JudgeAugmentation"/>). AdamW, warm-up plus cosine decay,
/// gradient clipping, weight EMA, resumable checkpoints: a resumed CPU run with the same seed ends with the same
/// weights as an uninterrupted one (step k reads rows [kB, (k+1)B) and draws its randomness from (seed, k)).
/// </summary>
public sealed partial class JudgeTrainer : IEstimator<JudgeTransformer>
{
    private readonly MLContext _context;

    public JudgeTrainer(MLContext context, Options options)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        TrainerOptions = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Tokenizer is null && options.InitialJudgeFolder is null)
            throw new ArgumentException("Set Options.Tokenizer (a new judge) or Options.InitialJudgeFolder (continue from weights).", nameof(options));
        if (options.Steps < 1 || options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "Steps and BatchSize must be positive.");
        if (!(options.FocalGamma >= 0) || double.IsInfinity(options.FocalGamma))
            throw new ArgumentOutOfRangeException(nameof(options), options.FocalGamma, "FocalGamma must be 0 (off) or a finite positive number.");
        if (options.FocalUntilStep < 0) throw new ArgumentOutOfRangeException(nameof(options), options.FocalUntilStep, "FocalUntilStep must be 0 or more (null: to the end).");
        if (!(options.QuestionNoiseMadeUpShare >= 0 && options.QuestionNoiseMadeUpShare <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.QuestionNoiseMadeUpShare, "QuestionNoiseMadeUpShare must be in [0, 1].");
        if (options.QuestionNoiseMadeUpShare > 0 && options.QuestionNoiseRate <= 0)
            throw new ArgumentException("QuestionNoiseMadeUpShare needs QuestionNoiseRate above 0: it is a share of the noise's words.", nameof(options));
        if (options.QuestionNoiseMadeUpUntilStep < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.QuestionNoiseMadeUpUntilStep, "QuestionNoiseMadeUpUntilStep must be 0 or more (null: to the end).");
        if (options.ColorBlendImages < 0) throw new ArgumentOutOfRangeException(nameof(options), options.ColorBlendImages, "ColorBlendImages must be 0 (off) or more.");
        if (options.ColorBlendImages > 0 && options.SceneTokenSteps <= 0)
            throw new ArgumentException("ColorBlendImages needs SceneTokenSteps above 0: blended images only train the alignment to scene tokens.", nameof(options));
        if (options.CaptionInstructionDropRate > 0 && options.CaptionInstructionColumnName is null)
            throw new ArgumentException("CaptionInstructionDropRate needs CaptionInstructionColumnName: only a writer's prompts hold an instruction.", nameof(options));
    }

    public Options TrainerOptions { get; }

    /// <summary>Wall time of the last <see cref="Fit"/> (this process only).</summary>
    public TimeSpan LastFitDuration { get; private set; }
    // The last step's GroundingLoss, reported on its own as well as inside the probe loss.
    private double _lastGroundingLoss = double.NaN;
    // Whether each question of the last step was answered right (before its update), for per-kind accuracy.
    private bool[] _lastCorrect = Array.Empty<bool>();
    private double _lastContentLoss = double.NaN; // the last image step's SceneTokens.ContentLoss
    private CaptionNoise? _captionNoise; // this fit's, when it asks for any
    private QuestionNoise? _questionNoise; // likewise
    private QuestionNoise? _plainQuestionNoise; // the same without made-up words, from QuestionNoiseMadeUpUntilStep
    private CellReading? _lastCellReading; // the last image step's reading of its cell tokens (scene-token runs only)
    private AdaptiveKindWeights? _kindErrors; // each kind's running error, when the fit's weights or stages follow it

    /// <summary>Per-step losses of the last <see cref="Fit"/>.</summary>
    public IReadOnlyList<(long Step, IReadOnlyDictionary<string, double> Losses)> LossHistory { get; private set; } = Array.Empty<(long, IReadOnlyDictionary<string, double>)>();

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        TrainerOptions.Columns.Validate(inputSchema, withAnswer: true);
        return SchemaChecks.Append(inputSchema,
            (JudgeTransformer.ScoreColumn, NumberDataViewType.Single),
            (JudgeTransformer.ProbabilityColumn, NumberDataViewType.Single),
            (JudgeTransformer.PredictedLabelColumn, BooleanDataViewType.Instance));
    }

    /// <summary>Fresh initialisations the last <see cref="Fit"/> started over with
    /// (<see cref="Options.SceneTokenFirstStageDeadline"/>); its model comes from the last.</summary>
    public int LastFitRestarts { get; private set; }

    public JudgeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = TrainerOptions;
        int attempt = InitAttempts.Resumed(o.CheckpointFolder);
        var abandoned = TimeSpan.Zero;
        while (true)
        {
            try
            {
                var judge = FitAttempt(input, attempt);
                LastFitRestarts = attempt;
                LastFitDuration += abandoned;
                return judge;
            }
            catch (SlowFirstStageException slow)
            {
                abandoned += slow.Elapsed;
                o.Logger?.LogWarning("Initialisation {Attempt} (seed {Seed}) had not passed the first scene-token stage's gate by step {Step} ({Kinds}); starting over from initialisation {Next} (seed {NextSeed})",
                    attempt, InitAttempts.Seed(o.Seed, attempt), slow.Step, slow.Kinds, attempt + 1, InitAttempts.Seed(o.Seed, attempt + 1));
                attempt++;
            }
        }
    }

    // Thrown inside an attempt whose first gated stage missed its deadline while restarts remain.
    private sealed class SlowFirstStageException(long step, string kinds, TimeSpan elapsed) : Exception
    {
        public long Step { get; } = step;
        public string Kinds { get; } = kinds;
        public TimeSpan Elapsed { get; } = elapsed;
    }

    private JudgeTransformer FitAttempt(IDataView input, int attempt)
    {
        var o = TrainerOptions;
        o.Columns.Validate(SchemaChecks.ShapeOf(input.Schema), withAnswer: true);
        TorchRuntime.EnsureInitialized();
        long initSeed = InitAttempts.Seed(o.Seed, attempt);
        TorchRuntime.SetThreads(o.Threads);
        var device = TorchRuntime.ResolveDevice(o.Device, _context);
        o.Logger?.LogInformation("Judge pretraining on {Runtime}", TorchRuntime.Describe(device));

        var (model, tokenizer, system) = SeededInit.Build(initSeed, () => CreateJudge(o, initSeed));
        model.to(device);
        model.train();
        var scorer = new YesNoScorer(model, tokenizer, freeze: false, system);
        _captionNoise = o.CaptionInstructionDropRate > 0 || o.CaptionAttributeSwapRate > 0 || o.CaptionGrayscaleRate > 0
            ? new CaptionNoise(tokenizer, o.CaptionInstructionDropRate, o.CaptionAttributeSwapRate, o.CaptionSwapClasses ?? ShapesWriter.SwapClasses, model.Config.TokensPerImage, system,
                o.CaptionGrayscaleRate, o.CaptionColorWords ?? ShapesWriter.ColorWords)
            : null;
        _questionNoise = o.QuestionNoiseRate > 0 ? QuestionNoise.ForWorld(o.QuestionNoiseRate, o.QuestionNoiseMadeUpShare) : null;
        _plainQuestionNoise = o.QuestionNoiseMadeUpShare > 0 ? QuestionNoise.ForWorld(o.QuestionNoiseRate) : _questionNoise;
        o.Logger?.LogInformation("Judge: {Parameters} parameters, {Vocab} tokens, {Tokens} tokens per image",
            model.parameters().Sum(p => p.numel()), model.Config.TextConfig.VocabSize, model.Config.TokensPerImage);

        using var probe = o.ProbeRows is not null && o.ProbeBatchSize > 0 ? new SceneProbe(model.Config.TokensPerImage, model.Config.TextConfig.HiddenSize) : null;
        probe?.to(device);
        ValidateSceneTokens(o, model.Config, input);
        using var sceneTokens = o.SceneTokenSteps > 0 ? new SceneTokens(model.Config.TextConfig.HiddenSize, o.InitStd, initSeed + 1) : null;
        sceneTokens?.to(device);
        using var decoderProbes = DecoderProbes.Create(o, model.Config.TextConfig, device);
        var named = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        if (probe is not null) named.AddRange(probe.named_parameters().Select(p => ("scene_probe." + p.name, p.parameter)));
        if (sceneTokens is not null) named.AddRange(sceneTokens.named_parameters().Select(p => ("scene_tokens." + p.name, p.parameter)));
        if (decoderProbes is not null) named.AddRange(decoderProbes.NamedParameters());
        using var optimizer = new AdamW(named, o.LearningRate, o.Beta1, o.Beta2, weightDecay: o.WeightDecay);
        using var ema = o.EmaDecay > 0 ? new ExponentialMovingAverage(model, o.EmaDecay) : null;
        if (o.FreezeVision)
        {
            // Vision tower, projector and image newline: every model weight outside the language model.
            foreach (var (name, p) in model.named_parameters().Select(p => (p.name, p.parameter)).Where(p => !p.name.StartsWith("language_model.", StringComparison.Ordinal)))
            {
                p.requires_grad = false;
                optimizer.Frozen.Add(name);
            }
        }
        // The scene-token steps and the image steps after them are two trainings, each with its own warm-up and decay:
        // one schedule over both would leave the vision side only the tail of the decay to align in.
        var sceneSchedule = new WarmupCosineSchedule(o.LearningRate, Math.Max(1, o.SceneTokenSteps), o.WarmupSteps, o.FinalLearningRateRatio);
        var schedule = new WarmupCosineSchedule(o.LearningRate, Math.Max(1, o.Steps - o.SceneTokenSteps - o.DecoderSteps), o.WarmupSteps, o.FinalLearningRateRatio);
        // The decoder steps have a third schedule: at the image schedule's end the rate is too low to adapt the decoder.
        var decoderSchedule = new WarmupCosineSchedule(o.DecoderLearningRate, Math.Max(1, o.DecoderSteps), o.WarmupSteps, o.FinalLearningRateRatio);

        var checkpoints = o.CheckpointFolder is null ? null : new CheckpointFolder(InitAttempts.Folder(o.CheckpointFolder, attempt));
        _kindErrors = o.AdaptiveKindWeights || o.SceneTokenStageAccuracy > 0 ? new AdaptiveKindWeights(o.AdaptiveKindDecay, o.AdaptiveKindFloor) : null;
        var stages = SceneStages(o);
        long startStep = 0, skipped = 0, consumed = 0, consumedCaptions = 0, consumedProbes = 0, consumedScenes = 0;
        if (checkpoints?.TryLoadLatest() is { } checkpoint)
        {
            Restore(checkpoint, model, optimizer, ema, probe, sceneTokens, decoderProbes);
            startStep = checkpoint.Step;
            skipped = long.Parse(checkpoint.State["skipped"]);
            consumed = long.Parse(checkpoint.State["consumed_rows"]);
            consumedCaptions = long.Parse(checkpoint.State.GetValueOrDefault("consumed_caption_rows", "0"));
            consumedProbes = long.Parse(checkpoint.State.GetValueOrDefault("consumed_probe_rows", "0"));
            consumedScenes = long.Parse(checkpoint.State.GetValueOrDefault("consumed_scene_rows", "0"));
            _kindErrors?.Load(checkpoint.State, $"{checkpoint.Folder}/state.json");
            stages?.Load(checkpoint.State, $"{checkpoint.Folder}/state.json");
            checkpoint.LogResume(o.Logger);
        }

        bool curriculum = o.CurriculumKinds is { Length: > 0 } && o.CurriculumSteps > 0;
        if (curriculum) SchemaChecks.RequireText(input.Schema, o.Columns.Kind, "question kind");
        if (_questionNoise is not null) SchemaChecks.RequireText(input.Schema, o.Columns.Kind, "question kind (question noise applies to the general kinds only)");
        if (o.KindWeights is not null || _kindErrors is not null) SchemaChecks.RequireText(input.Schema, o.Columns.Kind, "question kind (kind weights sample by it)");
        bool readKinds = curriculum || input.Schema.GetColumnOrNull(o.Columns.Kind)?.Type is Microsoft.ML.Data.TextDataViewType;
        var kindAccuracy = new KindAccuracy();
        bool withScenes = sceneTokens is not null;
        using var rows = new RowStream<JudgeRow>(input, o.Columns.InputsIn(input.Schema, withAnswer: true, withKind: readKinds, withScenes: withScenes),
            row => o.Columns.Bind(row, withAnswer: true, withKind: readKinds, withScenes: withScenes), readKinds ? o.Columns.BindKind : null);
        rows.SkipTo(consumed);
        // Scene-token steps read the same data through their own stream, without images.
        using var sceneRows = sceneTokens is null ? null
            : new RowStream<SceneQuestionRow>(input, o.Columns.SceneInputsIn(input.Schema), row => o.Columns.BindScenes(row),
                input.Schema.GetColumnOrNull(o.Columns.Kind) is null ? null : o.Columns.BindKind);
        sceneRows?.SkipTo(consumedScenes);
        using var captions = OpenCaptions(o, consumedCaptions);
        using var probes = probe is null ? null : OpenProbeRows(o, consumedProbes);
        var tracker = new ProgressTracker("judge", startStep, o.Steps, o.Logger, o.Progress);
        Stage? trainableStage = null; // the stage SetTrainable last prepared the parameters for

        for (long step = startStep; step < o.Steps; step++)
        {
            o.Cancellation.ThrowIfCancellationRequested();
            var stage = StageAt(o, step);
            optimizer.LearningRate = stage switch
            {
                Stage.SceneTokens => sceneSchedule.At(step),
                Stage.Decoder => decoderSchedule.At(step - (o.Steps - o.DecoderSteps)),
                _ => schedule.At(step - o.SceneTokenSteps),
            };
            if (sceneTokens is not null && stage != trainableStage)
            {
                SetTrainable(model, sceneTokens, decoderProbes, optimizer, stage, o.FreezeVision);
                trainableStage = stage;
            }
            List<(RgbImage Image, (string Caption, string Prompt) Text)>? captionBatch = null;
            List<(RgbImage Image, Synthetic.Scene Scene)>? probeBatch = null;
            double loss, accuracy, captionLoss = double.NaN, probeLoss = double.NaN, alignLoss = double.NaN, comparisonLoss = double.NaN, countLoss = double.NaN;
            if (stage == Stage.SceneTokens)
            {
                var kinds = stages?.KindsAt(step);
                var sceneBatch = sceneRows!.Next(o.BatchSize, KindFilter(kinds, step));
                (loss, accuracy, comparisonLoss, countLoss) = SceneTokenStep(scorer, sceneTokens!, decoderProbes, optimizer, sceneBatch, kinds, step, device);
                var answeredKinds = sceneBatch.Select(r => r.Kind).ToList();
                kindAccuracy.Add(answeredKinds, _lastCorrect);
                _kindErrors?.Add(answeredKinds, _lastCorrect);
                if (_kindErrors is not null && stages?.AfterStep(step, _kindErrors) is { } advanced)
                {
                    o.Logger?.LogInformation("Scene-token stage {Stage} from step {Step} ({Kinds}): {Reason}", stages.Stage + 1, step + 2,
                        stages.KindsAt(step + 1) is { } next ? string.Join(",", next) : "every kind", advanced);
                }
                if (attempt < o.InitRestarts && stages is { Gated: true, Stage: 0 } && o.SceneTokenFirstStageDeadline > 0 && step + 1 >= o.SceneTokenFirstStageDeadline)
                {
                    var elapsed = tracker.Elapsed;
                    model.Dispose(); // the abandoned initialisation; everything else this attempt made is disposed by its using
                    throw new SlowFirstStageException(step + 1, string.Join(", ", kinds!.Select(k => $"{k}={(1 - _kindErrors!.ErrorOf(k)).ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}")), elapsed);
                }
            }
            else
            {
                var batch = rows.Next(o.BatchSize, KindFilter(curriculum && step < o.CurriculumSteps ? o.CurriculumKinds : null, step));
                bool withCaptions = captions is not null && (o.CaptionSteps < 0 || step < o.CaptionSteps);
                captionBatch = withCaptions ? captions!.Next(o.CaptionBatchSize) : null;
                bool withProbe = probes is not null && (o.ProbeSteps < 0 || step < o.ProbeSteps);
                probeBatch = withProbe ? probes!.Next(o.ProbeBatchSize) : null;
                (loss, accuracy, captionLoss, probeLoss, alignLoss) = TrainStep(scorer, optimizer, batch, captionBatch, probe, probeBatch, sceneTokens, aligning: stage != Stage.Decoder, step, device);
                var answeredKinds = batch.Select(r => r.Kind).ToList();
                kindAccuracy.Add(answeredKinds, _lastCorrect);
                _kindErrors?.Add(answeredKinds, _lastCorrect);
            }
            if (double.IsFinite(loss))
            {
                ema?.Update(model);
            }
            else
            {
                skipped++;
                o.Logger?.LogWarning("Step {Step}: non-finite loss, update skipped ({Skipped} so far)", step + 1, skipped);
            }
            var losses = new Dictionary<string, double> { ["ce"] = loss, ["acc"] = accuracy, ["lr"] = optimizer.LearningRate };
            if (captionBatch is not null) losses["caption"] = captionLoss;
            if (probeBatch is not null) losses["probe"] = probeLoss;
            if (probeBatch is not null && o.GroundingWeight > 0) losses["ground"] = _lastGroundingLoss;
            if (double.IsFinite(alignLoss)) losses["align"] = alignLoss;
            if (stage != Stage.SceneTokens && double.IsFinite(_lastContentLoss)) losses["content"] = _lastContentLoss;
            if (stage != Stage.SceneTokens && _lastCellReading is { } reading)
            {
                losses["cells"] = reading.Cells;
                if (double.IsFinite(reading.Shape)) (losses["cell_shape"], losses["cell_color"], losses["cell_size"]) = (reading.Shape, reading.Color, reading.Size);
            }
            if (double.IsFinite(comparisonLoss)) losses["compare_probe"] = comparisonLoss;
            if (double.IsFinite(countLoss)) losses["count_probe"] = countLoss;
            tracker.Report(step + 1, losses, skipped);
            bool last = step + 1 == o.Steps;
            if (readKinds && ((step + 1) % o.KindAccuracyInterval == 0 || last))
            {
                o.Logger?.LogInformation("Training accuracy by kind up to step {Step}: {Accuracy}", step + 1, kindAccuracy.Drain());
                if (o.AdaptiveKindWeights) o.Logger?.LogInformation("Adaptive kind weights after step {Step}: {Weights}", step + 1, _kindErrors);
            }
            if (checkpoints is not null && ((step + 1) % o.CheckpointInterval == 0 || last))
            {
                SaveCheckpoint(checkpoints, step + 1, model, optimizer, ema, probe, sceneTokens, decoderProbes, rows.Consumed, captions?.Consumed ?? 0, probes?.Consumed ?? 0, sceneRows?.Consumed ?? 0, skipped, _kindErrors, stages);
            }
        }
        if (rows.Failures.Count > 0)
        {
            o.Logger?.LogWarning("{Count} training rows could not be read and were skipped; first: row {Row}: {Error}", rows.Failures.Count, rows.Failures[0].Position, rows.Failures[0].Error);
        }
        if (sceneTokens is not null) SetTrainable(model, sceneTokens, decoderProbes, optimizer, Stage.Joint, o.FreezeVision);
        LastFitDuration = tracker.Elapsed;
        LossHistory = tracker.History;
        ema?.CopyTo(model);
        return new JudgeTransformer(model, tokenizer, o.Columns, system, o.BatchSize);
    }

    // One update on a batch; returns the question loss and batch accuracy (before the update), the caption and probe
    // losses, or a NaN loss when the update was skipped.
    private (double Loss, double Accuracy, double CaptionLoss, double ProbeLoss, double AlignLoss) TrainStep(YesNoScorer scorer, AdamW optimizer, List<JudgeRow> batch,
        List<(RgbImage Image, (string Caption, string Prompt) Text)>? captionBatch, SceneProbe? probe, List<(RgbImage Image, Synthetic.Scene Scene)>? probeBatch, SceneTokens? sceneTokens,
        bool aligning, long step, Device device)
    {
        var o = TrainerOptions;
        using var scope = NewDisposeScope();
        var images = ImageTensors.ToBatch(batch.SelectMany(r => r.Images).ToList(), device);
        var random = StepRandom.Managed(o.Seed, step, stream: 1);
        using var generator = StepRandom.Torch(o.Seed, step, stream: 2);
        images = o.Augmentation.Apply(images, random, generator);
        var answers = torch.tensor(batch.Select(r => r.Answer).ToArray(), device: device);
        var questions = StepQuestions(batch.Select(r => (r.Question, r.Kind)), step);
        if (o.AdversarialSteps > 0)
        {
            // The binary Yes/No loss is what NP-Edit differentiates, so that is the loss the attack raises.
            images = AdversarialImages.Perturb(images, x =>
            {
                using var attacked = scorer.Score(Queries(batch, questions, i => JudgeImage.FromPixels(x[i])));
                return AnswerLoss(scorer, attacked, answers, fullVocabularyWeight: 0);
            }, o.AdversarialEpsilon, o.AdversarialSteps);
        }

        // With scene tokens the image features are computed here, so the alignment loss reads the same forward.
        var scenes = sceneTokens is null ? null : batch.SelectMany(r => r.Scenes ?? throw new InvalidDataException("A judge row has no scene to align to.")).ToList();
        (Tensor Images, IReadOnlyList<Synthetic.Scene> Scenes, IReadOnlyList<ColorBlend> Blends)? blended = scenes is not null && aligning && o.AlignmentWeight > 0 && o.ColorBlendImages > 0 ? BlendedImages(scenes, images, step, device) : null;
        var allFeatures = scenes is null ? null
            : scorer.Model.ImageFeatures(VlmImageProcessor.Preprocess(blended is null ? images : torch.cat(new[] { images, blended.Value.Images }), scorer.Config));
        var features = blended is null ? allFeatures : allFeatures!.narrow(0, 0, images.shape[0]);
        var cellTokens = features?.narrow(1, 0, SceneTokens.Cells);
        _lastCellReading = cellTokens is null ? null : sceneTokens!.ReadCells(cellTokens, scenes!);
        var queries = Queries(batch, questions, i => features is null ? JudgeImage.FromPixels(images[i]) : JudgeImage.FromFeatures(features[i]));

        optimizer.ZeroGrad();
        using var logits = scorer.Score(queries);
        var loss = AnswerLoss(scorer, logits, answers, o.FullVocabularyAnswerWeight, FocalGammaAt(o, step));
        double value = loss.item<float>();
        var correct = logits.Yes.gt(logits.No).eq(answers);
        _lastCorrect = correct.cpu().data<bool>().ToArray();
        double accuracy = correct.to(ScalarType.Float32).mean().item<float>();
        double captionValue = double.NaN;
        var total = loss;
        double alignValue = double.NaN;
        if (features is not null && aligning && o.AlignmentWeight > 0)
        {
            // Blended images are aligned with the batch's, in one mean (they are never asked a question).
            var alignment = blended is { } b
                ? AlignmentLoss(allFeatures!, sceneTokens!, scenes!.Concat(b.Scenes).ToList(), b.Blends.Select(x => x with { Image = x.Image + scenes!.Count }).ToList())
                : AlignmentLoss(features, sceneTokens!, scenes!);
            alignValue = alignment.item<float>();
            total = total.Add(alignment.Mul(o.AlignmentWeight));
        }
        _lastContentLoss = double.NaN;
        if (cellTokens is not null && aligning && o.ContentAlignmentWeight > 0)
        {
            var content = sceneTokens!.ContentLoss(cellTokens, scenes!);
            _lastContentLoss = content.item<float>();
            total = total.Add(content.Mul(o.ContentAlignmentWeight));
        }
        if (captionBatch is not null)
        {
            var captionImages = ImageTensors.ToBatch(captionBatch.Select(c => c.Image).ToList(), device);
            using var captionGenerator = StepRandom.Torch(o.Seed, step, stream: 4);
            captionImages = o.Augmentation.Apply(captionImages, StepRandom.Managed(o.Seed, step, stream: 3), captionGenerator);
            var captionLoss = CaptionLoss.Compute(scorer.Model, scorer.Tokenizer, captionImages, captionBatch.Select(c => c.Text.Prompt).ToList(),
                captionBatch.Select(c => c.Text.Caption).ToList(), scorer.SystemPrompt, _captionNoise, StepRandom.Managed(o.Seed, step, stream: 8));
            captionValue = captionLoss.item<float>();
            total = total.Add(captionLoss.Mul(o.CaptionWeight));
        }
        double probeValue = double.NaN;
        if (probe is not null && probeBatch is not null)
        {
            var probeImages = ImageTensors.ToBatch(probeBatch.Select(p => p.Image).ToList(), device);
            using var probeGenerator = StepRandom.Torch(o.Seed, step, stream: 6);
            probeImages = o.Augmentation.Apply(probeImages, StepRandom.Managed(o.Seed, step, stream: 5), probeGenerator);
            var probeFeatures = scorer.Model.ImageFeatures(VlmImageProcessor.Preprocess(probeImages, scorer.Config));
            var probeScenes = probeBatch.Select(p => p.Scene).ToList();
            var probeLoss = probe.Loss(probeFeatures, probeScenes);
            if (o.GroundingWeight > 0)
            {
                var grounding = GroundingLoss.Compute(scorer.Model, scorer.Tokenizer, probeFeatures, probeScenes);
                _lastGroundingLoss = grounding.item<float>();
                probeLoss = probeLoss.Add(grounding.Mul(o.GroundingWeight));
            }
            probeValue = probeLoss.item<float>();
            total = total.Add(probeLoss.Mul(o.ProbeWeight));
        }
        if (!double.IsFinite(value) || (captionBatch is not null && !double.IsFinite(captionValue)) || (probeBatch is not null && !double.IsFinite(probeValue)))
            return (double.NaN, accuracy, captionValue, probeValue, alignValue);
        total.backward();
        if (!optimizer.GradientsAreFinite()) return (double.NaN, accuracy, captionValue, probeValue, alignValue);
        optimizer.ClipGradNorm(o.GradientClip);
        optimizer.Step();
        return (value, accuracy, captionValue, probeValue, alignValue);
    }

    // ColorBlendImages alignment-only images drawn from the step's scenes, augmented like the batch (own streams).
    private (Tensor Images, IReadOnlyList<Synthetic.Scene> Scenes, IReadOnlyList<ColorBlend> Blends) BlendedImages(IReadOnlyList<Synthetic.Scene> scenes, Tensor images, long step, Device device)
    {
        var o = TrainerOptions;
        var (blendImages, blendScenes, blends) = ColorBlends.Draw(scenes, o.ColorBlendImages, (int)images.shape[3], StepRandom.Managed(o.Seed, step, stream: 11), device);
        using var generator = StepRandom.Torch(o.Seed, step, stream: 12);
        return (o.Augmentation.Apply(blendImages, StepRandom.Managed(o.Seed, step, stream: 13), generator), blendScenes, blends);
    }

    /// <summary>One query per row; <paramref name="image"/> gives the judge image at a flat index over all rows' images.</summary>
    private static List<JudgeQuery> Queries(List<JudgeRow> batch, IReadOnlyList<string> questions, Func<int, JudgeImage> image)
    {
        var queries = new List<JudgeQuery>(batch.Count);
        int next = 0;
        for (int r = 0; r < batch.Count; r++)
        {
            var shown = new JudgeImage[batch[r].Images.Count];
            for (int k = 0; k < shown.Length; k++) shown[k] = image(next++);
            queries.Add(new JudgeQuery(shown, questions[r]));
        }
        return queries;
    }

    /// <summary>Which rows a step takes by kind: only <paramref name="allowed"/> (null: any), and from
    /// <see cref="Options.KindWeightsFromStep"/> until <see cref="Options.KindWeightsUntilStep"/> in the shares of
    /// <see cref="Options.KindWeights"/> and/or the adaptive weights (their own random stream).</summary>
    private Func<string, bool>? KindFilter(IReadOnlyCollection<string>? allowed, long step)
    {
        var o = TrainerOptions;
        bool weighted = step >= o.KindWeightsFromStep && step < (o.KindWeightsUntilStep ?? long.MaxValue);
        if (weighted && o.AdaptiveKindWeights) return _kindErrors!.Filter(allowed, o.KindWeights, StepRandom.Managed(o.Seed, step, stream: 10));
        if (weighted && o.KindWeights is not null) return o.KindWeights.Filter(allowed, StepRandom.Managed(o.Seed, step, stream: 10));
        return allowed is null ? null : k => allowed.Contains(k, StringComparer.Ordinal);
    }

    /// <summary>The questions a step reads: with <see cref="Options.QuestionNoiseRate"/>, noised (its own random stream).</summary>
    private IReadOnlyList<string> StepQuestions(IEnumerable<(string Question, string Kind)> rows, long step)
    {
        if (_questionNoise is null || step < TrainerOptions.QuestionNoiseFromStep) return rows.Select(r => r.Question).ToArray();
        var random = StepRandom.Managed(TrainerOptions.Seed, step, stream: 9);
        var noise = step >= (TrainerOptions.QuestionNoiseMadeUpUntilStep ?? long.MaxValue) ? _plainQuestionNoise! : _questionNoise;
        return rows.Select(r => noise.Apply(r.Question, r.Kind, random)).ToArray();
    }

    // (image, caption, prompt) rows: the prompt asks for a description, or with an instruction column for the
    // description of the image after that edit (an edited-caption writer, EditedCaptionWriter).
    private static RowStream<(RgbImage Image, (string Caption, string Prompt) Text)>? OpenCaptions(Options o, long consumed)
    {
        if (o.CaptionRows is null || o.CaptionBatchSize <= 0) return null;
        var texts = new List<(string, string)> { (o.CaptionColumnName, "caption") };
        if (o.CaptionInstructionColumnName is { } instruction) texts.Add((instruction, "caption instruction"));
        return OpenImageTexts(o.CaptionRows, o.CaptionImageColumnName, "caption image", texts,
            t => (t[0], t.Length > 1 ? EditedCaptionWriter.Prompt(t[1]) : CaptionLoss.Prompt), consumed);
    }

    private static RowStream<(RgbImage Image, Synthetic.Scene Scene)> OpenProbeRows(Options o, long consumed) =>
        OpenImageTexts(o.ProbeRows!, o.ProbeImageColumnName, "probe image", new[] { (o.ProbeSceneColumnName, "scene JSON") },
            t => Synthetic.Scene.FromJson(t[0]), consumed);

    // A stream of (image, parsed texts) rows from an image column and text columns, positioned at row `consumed`.
    private static RowStream<(RgbImage, T)> OpenImageTexts<T>(IDataView data, string imageColumn, string imageRole,
        IReadOnlyList<(string Column, string Role)> textColumns, Func<string[], T> parse, long consumed)
    {
        SchemaChecks.RequireImage(data.Schema, imageColumn, imageRole);
        foreach (var (column, role) in textColumns) SchemaChecks.RequireText(data.Schema, column, role);
        var stream = new RowStream<(RgbImage, T)>(data, textColumns.Select(t => t.Column).Prepend(imageColumn).ToArray(), row =>
        {
            var image = row.GetGetter<MLImage>(row.Schema[imageColumn]);
            var texts = textColumns.Select(t => row.GetGetter<ReadOnlyMemory<char>>(row.Schema[t.Column])).ToArray();
            return () =>
            {
                MLImage value = null!;
                image(ref value);
                var strings = new string[texts.Length];
                for (int i = 0; i < texts.Length; i++)
                {
                    ReadOnlyMemory<char> chars = default;
                    texts[i](ref chars);
                    strings[i] = chars.ToString();
                }
                try
                {
                    return (MLImageInterop.ToRgbImage(value), parse(strings));
                }
                finally
                {
                    value?.Dispose();
                }
            };
        });
        stream.SkipTo(consumed);
        return stream;
    }

    private static (LlavaOnevisionModel Model, VlmTokenizer Tokenizer, string? System) CreateJudge(Options o, long initSeed)
    {
        if (o.InitialJudgeFolder is not null) return JudgeStore.Load(o.InitialJudgeFolder);
        var tokenizer = o.Tokenizer!;
        int vocabulary = tokenizer.Compact?.Count ?? throw new ArgumentException("A new judge needs a tokenizer with a compact vocabulary, or an explicit ModelConfig.", nameof(o));
        var config = o.ModelConfig ?? VlmConfig.Tiny(vocabulary, tokenizer.ImageTokenId);
        var model = new LlavaOnevisionModel(config);
        VlmWeights.InitializeForTraining(model, initSeed, o.InitStd);
        return (model, tokenizer, o.SystemPrompt);
    }

    private static void SaveCheckpoint(CheckpointFolder folder, long step, LlavaOnevisionModel model, AdamW optimizer, ExponentialMovingAverage? ema,
        SceneProbe? probe, SceneTokens? sceneTokens, DecoderProbes? decoderProbes, long consumed, long consumedCaptions, long consumedProbes, long consumedScenes, long skipped,
        AdaptiveKindWeights? kindErrors, SceneTokenStages? stages)
    {
        var groups = new Dictionary<string, IReadOnlyDictionary<string, Tensor>>
        {
            ["model"] = model.state_dict(),
            ["optimizer"] = optimizer.StateTensors(),
        };
        if (ema is not null) groups["ema"] = ema.Shadow;
        if (probe is not null) groups["probe"] = probe.state_dict();
        if (sceneTokens is not null) groups["scene_tokens"] = sceneTokens.state_dict();
        decoderProbes?.AddTo(groups);
        var state = new Dictionary<string, string>((kindErrors?.Save() ?? []).Concat(stages?.Save() ?? []))
        {
            ["consumed_rows"] = consumed.ToString(),
            ["consumed_caption_rows"] = consumedCaptions.ToString(),
            ["consumed_probe_rows"] = consumedProbes.ToString(),
            ["consumed_scene_rows"] = consumedScenes.ToString(),
            ["skipped"] = skipped.ToString(),
        };
        folder.Save(step, groups, state);
    }

    private static void Restore(Checkpoint checkpoint, LlavaOnevisionModel model, AdamW optimizer, ExponentialMovingAverage? ema, SceneProbe? probe, SceneTokens? sceneTokens,
        DecoderProbes? decoderProbes)
    {
        var weights = checkpoint.Load("model");
        var opt = checkpoint.Load("optimizer");
        var shadow = ema is not null ? checkpoint.Load("ema") : new Dictionary<string, Tensor>();
        var probeWeights = probe is not null ? checkpoint.Load("probe") : new Dictionary<string, Tensor>();
        var sceneWeights = sceneTokens is not null ? checkpoint.Load("scene_tokens") : new Dictionary<string, Tensor>();
        try
        {
            StateDictIO.LoadStrict(model, weights, $"{checkpoint.Folder}/model.safetensors");
            optimizer.LoadState(opt, $"{checkpoint.Folder}/optimizer.safetensors");
            ema?.Load(shadow, $"{checkpoint.Folder}/ema.safetensors");
            if (probe is not null) StateDictIO.LoadStrict(probe, probeWeights, $"{checkpoint.Folder}/probe.safetensors");
            if (sceneTokens is not null) StateDictIO.LoadStrict(sceneTokens, sceneWeights, $"{checkpoint.Folder}/scene_tokens.safetensors");
            decoderProbes?.Restore(checkpoint);
        }
        finally
        {
            foreach (var t in weights.Values.Concat(opt.Values).Concat(shadow.Values).Concat(probeWeights.Values).Concat(sceneWeights.Values)) t.Dispose();
        }
    }
}
