using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using NpEdit.Cli.Infrastructure;
using NpEdit.Trainers;
using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.IO;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Cli.Commands;

/// <summary><c>npedit judge train|eval|ask|gradcheck|breakdown</c>: the VLM judge NP-Edit learns from.</summary>
internal static class JudgeCommand
{
    public static Command Create()
    {
        var command = new Command("judge", "The VLM judge: train it on the world, measure it, ask it, and check that its gradient is useful.");
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Eval());
        command.Subcommands.Add(Ask());
        command.Subcommands.Add(GradCheck());
        command.Subcommands.Add(JudgeBreakdownCommand.Create());
        command.Subcommands.Add(Write());
        return command;
    }

    /// <summary>What the auxiliary captioning rows of <c>judge train</c> describe.</summary>
    internal enum CaptionRowKind
    {
        Scenes,
        Edits,
        CanonicalEdits,
    }

    private static Command Write()
    {
        var judgeFolder = JudgeFolder();
        var count = CommonOptions.Count(500);
        var seed = CommonOptions.Seed(1);
        var show = new Option<int>("--show") { Description = "Print this many (instruction, written caption, true edited caption) rows.", DefaultValueFactory = _ => 8 };
        var beam = new Option<int>("--beam") { Description = "Captions kept while decoding (1 = greedy decoding).", DefaultValueFactory = _ => 1 };
        var noVerify = new Option<bool>("--no-verify") { Description = "Keep the captions as decoded: do not check their object phrases against the VLM's own answers, as the folder's verification.json asks." };
        var device = CommonOptions.Device();
        var command = new Command("write", "Write the edited caption of held-out edit rows from the source image and the instruction (a judge trained with --caption-rows Edits), and score it against the edited scene.")
        {
            judgeFolder, count, seed, show, beam, noVerify, device,
        };
        command.SetAction(parse =>
        {
            using var loaded = VlmEditTextWriter.FromFolder(ShapesJudge.ResolveFolder(parse.GetValue(judgeFolder)),
                TorchRuntime.ResolveDevice(parse.GetValue(device)), verify: !parse.GetValue(noVerify));
            var verification = loaded.Verification;
            var writer = loaded.Writer.WithDecoding(parse.GetValue(beam));
            Console.WriteLine(verification is null ? "Captions as decoded (no verification)." : $"Captions checked against the VLM's own answers ({CaptionVerification.FileName}: accept {verification.Accept}, reject {verification.Reject}).");
            var result = TrainingDisplay.Count("writing", parse.GetValue(count),
                progress => EditedCaptionEvaluation.Run(writer, parse.GetValue(count), parse.GetValue(seed), progress));
            foreach (var row in result.Rows.Take(parse.GetValue(show)))
            {
                Console.WriteLine($"{(row.Correct ? "ok  " : "FAIL")} {row.Edit.Instruction}\n     wrote: {row.Written}\n     truth: {row.Edit.EditedCaption}");
            }
            Console.WriteLine($"{"category",-12} {"n",5} {"exact",6}");
            foreach (var (name, accuracy, n) in result.ByCategory) Console.WriteLine($"{name,-12} {n,5} {accuracy,6:F3}");
            Console.WriteLine($"{"overall",-12} {result.Rows.Count,5} {result.Accuracy,6:F3}   ({result.Seconds:F0} s)");
            var byNovelty = RowNovelty.Summaries(result.Rows);
            foreach (var (name, accuracy, n) in byNovelty) Console.WriteLine($"{name,-20} {n,5} {accuracy,6:F3}");
            JsonLine.Write(new Dictionary<string, object>
            {
                ["caption_exact"] = result.Accuracy,
                ["count"] = result.Rows.Count,
                ["by_category"] = result.ByCategory.ToDictionary(c => c.Category, c => c.Accuracy),
                ["by_novelty"] = byNovelty.ToDictionary(c => c.Group, c => c.Accuracy),
            });
            return 0;
        });
        return command;
    }

    internal static Option<string?> JudgeFolder() => new("--judge")
    {
        Description = $"Judge folder (default: the shipped {ShapesJudge.DefaultFolder}).",
    };

    private static Command Train()
    {
        // The verb's defaults are the one-hour recipe (docs/judge.md): `judge train --seed S --threads 2` trains a judge in
        // about 55 minutes. The shipped judge predates them; docs/usage.md gives the flags of the defaults it was trained with.
        // The library's Options keep generic defaults (GPT-2's init, full-vocabulary loss) for real-size models.
        var defaults = new JudgeTrainer.Options();
        var steps = new Option<int>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => 16000 };
        var batch = new Option<int>("--batch-size") { Description = "Questions per step.", DefaultValueFactory = _ => 32 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        var captionBatch = new Option<int>("--caption-batch-size") { Description = "World captions per step for the auxiliary captioning loss (0 = off).", DefaultValueFactory = _ => 0 };
        var captionSteps = new Option<int>("--caption-steps") { Description = "Use captions for the first N steps only (-1 = all).", DefaultValueFactory = _ => defaults.CaptionSteps };
        var curriculumSteps = new Option<int>("--curriculum-steps") { Description = "Train the first N steps on easy single-image kinds only (background, presence, color).", DefaultValueFactory = _ => 0 };
        var npEdit = new Option<double>("--np-edit-fraction") { Description = "Share of NP-Edit template questions among the judge rows.", DefaultValueFactory = _ => 0.5 };
        var imagePosition = new Option<ImagePosition>("--image-position") { Description = "Images before or after the question in the prompt (saved with the judge).", DefaultValueFactory = _ => ShapesJudge.DefaultImagePosition };
        var poolStride = new Option<int?>("--image-pool-stride") { Description = "Override the tiny config's image_pool_stride (image tokens per side = patches / stride)." };
        var towerSize = new Option<int?>("--tower-image-size") { Description = "Override the tiny config's vision image_size (images are resized to it inside the graph; 36 with pool stride 3 gives one token per world cell)." };
        var textLayers = new Option<int?>("--text-layers") { Description = "Override the tiny config's decoder depth (num_hidden_layers)." };
        var textHidden = new Option<int?>("--text-hidden-size") { Description = "Override the tiny config's decoder width (hidden_size; the MLP stays 3x wide, the heads keep their count)." };
        var globalMax = new Option<bool?>("--image-global-max-token") { Description = "Override the tiny config's image_global_max_token." };
        var probeBatch = new Option<int>("--probe-batch-size") { Description = "World scenes per step for the auxiliary scene-probe loss on the image tokens (0 = off).", DefaultValueFactory = _ => 0 };
        var probeSteps = new Option<int>("--probe-steps") { Description = "Use the scene probe for the first N steps only (-1 = all).", DefaultValueFactory = _ => -1 };
        var fullVocab = new Option<double>("--full-vocab-weight") { Description = "Share of the answer loss that is cross-entropy over the whole vocabulary (the rest: over Yes/No only).", DefaultValueFactory = _ => 0.1 };
        var focalGamma = new Option<double>("--focal-gamma") { Description = "Focal weighting of the answer loss: each question's loss times (1 - p(true answer))^gamma, so confidently wrong questions count (0 = plain mean).", DefaultValueFactory = _ => 2.0 };
        var focalUntil = new Option<long?>("--focal-until") { Description = "The first step whose answer loss is the plain mean again (default: focal weighting to the end)." };
        var grounding = new Option<double>("--grounding-weight") { Description = "Weight of the grounding loss on the probe images: each cell's image token must pick its object's shape, colour and size words (0 = off; needs 3x3 image tokens).", DefaultValueFactory = _ => 0.0 };
        var sceneSteps = new Option<int>("--scene-token-steps") { Description = "First train the decoder this many steps on perfect scene tokens instead of images (needs --tower-image-size 36 --image-pool-stride 3).", DefaultValueFactory = _ => 9000 };
        var sceneStageSteps = new Option<int>("--scene-token-stage-steps") { Description = "During the scene-token steps, add one group of --scene-token-groups every N steps, then every kind (0 = all at once).", DefaultValueFactory = _ => 300 };
        var stageAccuracy = new Option<double>("--scene-token-stage-accuracy") { Description = "End a scene-token stage once every kind it reads has this running training accuracy (but not before --scene-token-stage-steps steps; 0 = fixed-length stages).", DefaultValueFactory = _ => 0.9 };
        var stageMaxSteps = new Option<int>("--scene-token-stage-max-steps") { Description = "With --scene-token-stage-accuracy, the most steps of a stage (0 = no cap).", DefaultValueFactory = _ => 2500 };
        var firstStageDeadline = new Option<int>("--first-stage-deadline") { Description = "With gated stages: if the first scene-token stage has not passed its gate by this step, start over from a fresh initialisation (seed + 1000 per restart, the same rows; 0 = never). Runs that learnt every kind passed it by step 825, runs that failed took 1771 steps or more; on seed 6 two fresh initialisations were as slow (docs/judge.md), so it is off by default.", DefaultValueFactory = _ => 0 };
        var initRestarts = new Option<int>("--init-restarts") { Description = "How many times --first-stage-deadline may start over.", DefaultValueFactory = _ => 2 };
        var sceneGroups = new Option<string?>("--scene-token-groups") { Description = "The groups of question kinds the scene-token stages add, ';' between groups and ',' between kinds.", DefaultValueFactory = _ => OneHourKindGroups };
        var comparisonWeight = new Option<double>("--comparison-probe-weight") { Description = "Weight of the comparison probe on two-image scene-token rows: dense labels of what differs between the images, read from the decoder (0 = off).", DefaultValueFactory = _ => 1.0 };
        var comparisonLayer = new Option<int>("--comparison-probe-layer") { Description = "Decoder layers the comparison and count probes read after (-1: all but the last).", DefaultValueFactory = _ => -1 };
        var countWeight = new Option<double>("--count-probe-weight") { Description = "Weight of the count probe on scene-token rows: the running object count at each cell token of every image, read from the decoder, from the stage in which count questions join (0 = off).", DefaultValueFactory = _ => 1.0 };
        var sceneNoise = new Option<double>("--scene-token-noise") { Description = "Gaussian noise on the scene tokens, relative to their RMS, so the decoder reads approximate tokens too.", DefaultValueFactory = _ => 0.0 };
        var alignmentSteps = new Option<int>("--alignment-steps") { Description = "Then train only the vision side this many steps, to produce the scene tokens (decoder frozen).", DefaultValueFactory = _ => 6000 };
        var questionNoise = new Option<double>("--question-noise") { Description = "Chance that each word of a general question that carries no answer is replaced, dropped or followed by another training word.", DefaultValueFactory = _ => 0.15 };
        var questionNoiseMadeUp = new Option<double>("--question-noise-made-up") { Description = "Share of the question noise's inserted and swapped-in words that are made-up letter strings (no world word) instead of training words.", DefaultValueFactory = _ => 0.5 };
        var questionNoiseMadeUpUntil = new Option<long?>("--question-noise-made-up-until") { Description = "The first step whose question noise has no made-up words again (they teach the decoder, which the alignment steps freeze; the default, 9000, is where the default scene-token steps end).", DefaultValueFactory = _ => 9000 };
        var questionNoiseFrom = new Option<long>("--question-noise-from") { Description = "The first step whose questions are noised (after the first scene-token stages have grokked).", DefaultValueFactory = _ => 3000 };
        var kindWeights = new Option<string?>("--kind-weights") { Description = "Relative shares of question kinds in the batches, e.g. \"compare_added=3,compare_removed=3\" (kinds not named weigh 1)." };
        var kindWeightsFrom = new Option<long>("--kind-weights-from") { Description = "The first step whose batches are drawn with --kind-weights.", DefaultValueFactory = _ => 0 };
        var kindWeightsUntil = new Option<long?>("--kind-weights-until") { Description = "The first step drawn without --kind-weights again (default: none)." };
        var adaptiveKinds = new Option<bool>("--adaptive-kind-weights") { Description = "In the --kind-weights-from/--kind-weights-until steps, draw each kind in proportion to its running training error (times --kind-weights when given), so kinds still being learnt fill the batches." };
        var adaptiveDecay = new Option<double>("--adaptive-kind-decay") { Description = "Decay, per question answered, of the error averages behind --adaptive-kind-weights.", DefaultValueFactory = _ => new JudgeTrainer.Options().AdaptiveKindDecay };
        var adaptiveFloor = new Option<double>("--adaptive-kind-floor") { Description = "The least weight a kind has under --adaptive-kind-weights (a kind at chance weighs 0.5).", DefaultValueFactory = _ => new JudgeTrainer.Options().AdaptiveKindFloor };
        var decoderSteps = new Option<int>("--decoder-steps") { Description = "The last N steps train the decoder alone on the aligned image tokens (vision frozen, no alignment losses).", DefaultValueFactory = _ => 0 };
        var decoderLr = new Option<double>("--decoder-lr") { Description = "Peak learning rate of the --decoder-steps, which have their own warm-up and decay.", DefaultValueFactory = _ => new JudgeTrainer.Options().DecoderLearningRate };
        var alignmentWeight = new Option<double>("--alignment-weight") { Description = "Weight of the image-token-to-scene-token loss after the scene-token steps.", DefaultValueFactory = _ => 10.0 };
        var colorBlend = new Option<int>("--color-blend-images") { Description = "Alignment-only images per image step whose one object's colour is blended part of the way toward another palette colour, aligned to the same blend of the two colours' scene tokens (0 = none; needs scene tokens).", DefaultValueFactory = _ => 6 };
        var contentWeight = new Option<double>("--content-alignment-weight") { Description = "Weight of the content loss after the scene-token steps: each cell's image token must be nearer its true contents' scene token than any other contents' (0 = off).", DefaultValueFactory = _ => 3.0 };
        var adversarialSteps = new Option<int>("--adversarial-steps") { Description = "Adversarial training: train on images moved this many signed-gradient steps towards the wrong answer (0 = off).", DefaultValueFactory = _ => 0 };
        var adversarialEpsilon = new Option<double>("--adversarial-epsilon") { Description = "Largest pixel change of an adversarial image (pixels in [-1, 1]).", DefaultValueFactory = _ => new JudgeTrainer.Options().AdversarialEpsilon };
        var initStd = new Option<double>("--init-std") { Description = "Standard deviation of the new judge's initial weights.", DefaultValueFactory = _ => 0.08 };
        var seed = CommonOptions.Seed();
        var output = new Option<string>("--out") { Description = "Folder to write the judge to.", DefaultValueFactory = _ => ShapesJudge.DefaultFolder };
        var checkpoints = new Option<string?>("--checkpoints") { Description = "Checkpoint folder; an interrupted run resumes from it." };
        var init = new Option<string?>("--init") { Description = "Start from this judge folder's weights (its config and tokenizer; the config overrides are ignored)." };
        var captionRows = new Option<CaptionRowKind>("--caption-rows") { Description = "What --caption-batch-size rows caption: Scenes (describe the image), Edits (source image and instruction; describe the image after the edit: an edited-caption writer) or CanonicalEdits (the same with the edited caption in reading order and one phrasing).", DefaultValueFactory = _ => CaptionRowKind.Scenes };
        var freezeVision = new Option<bool>("--freeze-vision") { Description = "Train the decoder only; the vision tower and projector keep the loaded weights (for a writer started from a judge with --init)." };
        var instructionDrop = new Option<double>("--caption-instruction-drop") { Description = "Writer training (--caption-rows Edits or CanonicalEdits): chance that each instruction token the writer reads is dropped, so it learns to infer an edit from more than its verb.", DefaultValueFactory = _ => 0 };
        var attributeSwap = new Option<double>("--caption-attribute-swap") { Description = "Chance that each colour, shape or size word of a caption the model reads (never the one it must write) is swapped for another of its kind, so it stops predicting a shape from the colour before it.", DefaultValueFactory = _ => 0 };
        var grayscale = new Option<double>("--caption-grayscale") { Description = "Chance that a caption row's image is shown in grayscale, its colour words unscored, so shapes, sizes and places are read without leaning on colour.", DefaultValueFactory = _ => 0 };
        var evalCount = new Option<int>("--eval-count") { Description = "Questions per metric for the manifest's evaluation (0 skips it).", DefaultValueFactory = _ => 500 };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("train", "Pretrain the tiny judge on the world's judge rows and write it with its manifest.")
        {
            steps, batch, lr, captionBatch, captionSteps, curriculumSteps, npEdit, imagePosition, poolStride, towerSize, textLayers, textHidden, globalMax, probeBatch, probeSteps, grounding, fullVocab, focalGamma, focalUntil, sceneSteps, sceneStageSteps, stageAccuracy, stageMaxSteps, firstStageDeadline, initRestarts, sceneGroups, sceneNoise, questionNoise, questionNoiseMadeUp, questionNoiseMadeUpUntil, questionNoiseFrom, kindWeights, kindWeightsFrom, kindWeightsUntil, adaptiveKinds, adaptiveDecay, adaptiveFloor, comparisonWeight, comparisonLayer, countWeight, alignmentSteps, decoderSteps, decoderLr, alignmentWeight, contentWeight, colorBlend, adversarialSteps, adversarialEpsilon, initStd, seed, output, checkpoints, init, captionRows, freezeVision, instructionDrop, attributeSwap, grayscale, evalCount, device, threads,
        };
        command.SetAction(parse =>
        {
            using var logging = Logging.Create();
            var logger = logging.CreateLogger("judge");
            var clock = Stopwatch.StartNew();
            var tokenizer = ShapesJudge.CreateTokenizer(parse.GetValue(imagePosition));
            var config = ShapesJudge.CreateConfig(tokenizer);
            int textHiddenSize = parse.GetValue(textHidden) ?? config.TextConfig.HiddenSize;
            config = config with
            {
                ImagePoolStride = parse.GetValue(poolStride) ?? config.ImagePoolStride,
                ImageGlobalMaxToken = parse.GetValue(globalMax) ?? config.ImageGlobalMaxToken,
                VisionConfig = config.VisionConfig with { ImageSize = parse.GetValue(towerSize) ?? config.VisionConfig.ImageSize },
                TextConfig = config.TextConfig with
                {
                    NumHiddenLayers = parse.GetValue(textLayers) ?? config.TextConfig.NumHiddenLayers,
                    HiddenSize = textHiddenSize,
                    IntermediateSize = 3 * textHiddenSize,
                },
            };
            var options = new JudgeTrainer.Options
            {
                Tokenizer = tokenizer,
                InitialJudgeFolder = parse.GetValue(init),
                ModelConfig = config,
                Steps = parse.GetValue(steps),
                BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(lr),
                Seed = parse.GetValue(seed),
                CheckpointFolder = parse.GetValue(checkpoints),
                Device = parse.GetValue(device),
                Threads = parse.GetValue(threads),
                Logger = logger,
            };
            var mlContext = new MLContext(seed: (int)options.Seed);
            // Curriculum steps pass over rows of other kinds, so leave room (rows are generated lazily, never stored).
            long rows = (long)options.Steps * options.BatchSize * 20;
            var data = WorldDataViews.JudgeRows(mlContext, rows, (int)options.Seed, split: WorldSplit.Train, npEditFraction: parse.GetValue(npEdit));
            options.CurriculumSteps = parse.GetValue(curriculumSteps);
            options.CurriculumKinds = options.CurriculumSteps > 0 ? ShapesJudge.CurriculumKinds : null;
            options.CaptionBatchSize = parse.GetValue(captionBatch);
            options.CaptionSteps = parse.GetValue(captionSteps);
            options.FreezeVision = parse.GetValue(freezeVision);
            options.CaptionInstructionDropRate = parse.GetValue(instructionDrop);
            options.CaptionAttributeSwapRate = parse.GetValue(attributeSwap);
            options.CaptionGrayscaleRate = parse.GetValue(grayscale);
            if (options.CaptionBatchSize > 0)
            {
                long captionRowCount = (long)(options.CaptionSteps < 0 ? options.Steps : Math.Min(options.Steps, options.CaptionSteps)) * options.CaptionBatchSize;
                if (parse.GetValue(captionRows) is CaptionRowKind.Edits or CaptionRowKind.CanonicalEdits)
                {
                    // Edit rows carry no edited image: the source, the instruction and the edited caption only.
                    options.CaptionRows = parse.GetValue(captionRows) == CaptionRowKind.Edits
                        ? WorldDataViews.TrainingRows(mlContext, captionRowCount, (int)options.Seed + 1)
                        : WorldDataViews.WriterRows(mlContext, captionRowCount, (int)options.Seed + 1);
                    options.CaptionImageColumnName = WorldColumns.Image;
                    options.CaptionColumnName = WorldColumns.EditedCaption;
                    options.CaptionInstructionColumnName = WorldColumns.Instruction;
                }
                else
                {
                    options.CaptionRows = WorldDataViews.TextToImageRows(mlContext, captionRowCount, (int)options.Seed, split: WorldSplit.Train);
                }
            }
            options.FullVocabularyAnswerWeight = parse.GetValue(fullVocab);
            options.FocalGamma = parse.GetValue(focalGamma);
            options.FocalUntilStep = parse.GetValue(focalUntil);
            options.InitStd = parse.GetValue(initStd);
            options.ProbeBatchSize = parse.GetValue(probeBatch);
            options.ProbeSteps = parse.GetValue(probeSteps);
            options.GroundingWeight = parse.GetValue(grounding);
            options.SceneTokenSteps = parse.GetValue(sceneSteps);
            // The defaults of the options that need scene tokens are off in a run without them, so that
            // `--scene-token-steps 0` alone trains the earlier kind of judge; given explicitly, they are kept (and
            // refused by the trainer).
            T DefaultOffUnless<T>(bool needed, Option<T> option) =>
                needed || parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : default!;
            T NeedsSceneTokens<T>(Option<T> option) => DefaultOffUnless(options.SceneTokenSteps > 0, option);
            options.SceneTokenStageSteps = parse.GetValue(sceneStageSteps);
            options.SceneTokenStageAccuracy = parse.GetValue(stageAccuracy);
            options.SceneTokenStageMaxSteps = parse.GetValue(stageMaxSteps);
            options.SceneTokenFirstStageDeadline = parse.GetValue(firstStageDeadline);
            options.InitRestarts = parse.GetValue(initRestarts);
            options.SceneTokenNoise = parse.GetValue(sceneNoise);
            options.QuestionNoiseRate = parse.GetValue(questionNoise);
            options.QuestionNoiseFromStep = parse.GetValue(questionNoiseFrom);
            // Likewise the made-up words are a share of the question noise: `--question-noise 0` alone turns them off.
            options.QuestionNoiseMadeUpShare = DefaultOffUnless(options.QuestionNoiseRate > 0, questionNoiseMadeUp);
            options.QuestionNoiseMadeUpUntilStep = DefaultOffUnless(options.QuestionNoiseRate > 0, questionNoiseMadeUpUntil);
            if (parse.GetValue(kindWeights) is { } weights) options.KindWeights = KindWeights.Parse(weights);
            options.KindWeightsFromStep = parse.GetValue(kindWeightsFrom);
            options.KindWeightsUntilStep = parse.GetValue(kindWeightsUntil);
            options.AdaptiveKindWeights = parse.GetValue(adaptiveKinds);
            options.AdaptiveKindDecay = parse.GetValue(adaptiveDecay);
            options.AdaptiveKindFloor = parse.GetValue(adaptiveFloor);
            options.ComparisonProbeWeight = NeedsSceneTokens(comparisonWeight);
            options.ComparisonProbeLayer = parse.GetValue(comparisonLayer);
            options.CountProbeWeight = NeedsSceneTokens(countWeight);
            if (parse.GetValue(sceneGroups) is { } groups) options.SceneTokenKindGroups = ParseKindGroups(groups);
            options.AlignmentSteps = NeedsSceneTokens(alignmentSteps);
            options.DecoderSteps = NeedsSceneTokens(decoderSteps);
            options.DecoderLearningRate = parse.GetValue(decoderLr);
            options.AlignmentWeight = parse.GetValue(alignmentWeight);
            options.ContentAlignmentWeight = NeedsSceneTokens(contentWeight);
            options.ColorBlendImages = NeedsSceneTokens(colorBlend);
            options.AdversarialSteps = parse.GetValue(adversarialSteps);
            options.AdversarialEpsilon = parse.GetValue(adversarialEpsilon);
            if (options.ProbeBatchSize > 0)
            {
                long probeRows = (long)(options.ProbeSteps < 0 ? options.Steps : Math.Min(options.Steps, options.ProbeSteps)) * options.ProbeBatchSize;
                // Another seed than the caption rows, which render the same scene stream.
                options.ProbeRows = WorldDataViews.SceneRows(mlContext, probeRows, (int)options.Seed + 1, split: WorldSplit.Train);
            }
            var trainer = new JudgeTrainer(mlContext, options);
            using var judge = TrainingDisplay.Run("judge", options.Steps, progress =>
            {
                options.Progress = progress;
                return trainer.Fit(data);
            });
            double trainSeconds = clock.Elapsed.TotalSeconds;
            var metrics = new Dictionary<string, double>
            {
                ["train_seconds_this_process"] = trainer.LastFitDuration.TotalSeconds,
                ["final_train_ce"] = trainer.LossHistory.Count > 0 ? trainer.LossHistory.TakeLast(50).Average(h => h.Losses["ce"]) : double.NaN,
            };
            int n = parse.GetValue(evalCount);
            if (n > 0)
            {
                var m = JudgeEvaluation.Evaluate(judge, n, seed: 1);
                Print(m);
                foreach (var (key, value) in MetricsOf(m)) metrics[key] = value;
                var g = JudgeGradientCheck.Run(judge, count: 32, seed: 1);
                metrics["gradcheck_start_p_correct"] = g.MeanProbability[0];
                metrics["gradcheck_end_p_correct"] = g.MeanProbability[^1];
                metrics["gradcheck_oracle_edit_success"] = g.OracleEditSuccess;
                // The normalised form too: a robust judge's small gradient fails the plain one on size alone.
                var normalized = JudgeGradientCheck.Run(judge, count: 32, seed: 1, learningRate: 0.01, normalizedStep: true);
                metrics["gradcheck_normalized_end_p_correct"] = normalized.MeanProbability[^1];
                metrics["gradcheck_normalized_oracle_edit_success"] = normalized.OracleEditSuccess;
            }
            var record = ThisRun.Record(options.Seed, options.Steps, trainSeconds, new Dictionary<string, string>
            {
                ["batch_size"] = options.BatchSize.ToString(),
                ["learning_rate"] = options.LearningRate.ToString("R"),
                ["np_edit_fraction"] = parse.GetValue(npEdit).ToString("R"),
                ["caption_batch_size"] = options.CaptionBatchSize.ToString(),
                ["curriculum_steps"] = options.CurriculumSteps.ToString(),
                ["curriculum_kinds"] = string.Join(",", options.CurriculumKinds ?? Array.Empty<string>()),
                ["caption_steps"] = options.CaptionSteps.ToString(),
                ["init_std"] = options.InitStd.ToString("R"),
                ["full_vocabulary_answer_weight"] = options.FullVocabularyAnswerWeight.ToString("R"),
                ["focal_gamma"] = options.FocalGamma.ToString("R"),
                ["focal_until_step"] = options.FocalUntilStep?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
                ["probe_batch_size"] = options.ProbeBatchSize.ToString(),
                ["probe_steps"] = options.ProbeSteps.ToString(),
                ["grounding_weight"] = options.GroundingWeight.ToString("G"),
                ["scene_token_steps"] = options.SceneTokenSteps.ToString(),
                ["scene_token_stage_steps"] = options.SceneTokenStageSteps.ToString(),
                ["scene_token_stage_accuracy"] = options.SceneTokenStageAccuracy.ToString("G"),
                ["scene_token_stage_max_steps"] = options.SceneTokenStageMaxSteps.ToString(),
                ["scene_token_first_stage_deadline"] = options.SceneTokenFirstStageDeadline.ToString(),
                ["init_restarts"] = options.InitRestarts.ToString(),
                ["init_restarts_used"] = trainer.LastFitRestarts.ToString(),
                ["init_seed"] = InitAttempts.Seed(options.Seed, trainer.LastFitRestarts).ToString(),
                ["scene_token_kind_groups"] = string.Join(" | ", options.SceneTokenKindGroups.Select(g => string.Join(",", g))),
                ["scene_token_noise"] = options.SceneTokenNoise.ToString("G"),
                ["question_noise"] = options.QuestionNoiseRate.ToString("G"),
                ["question_noise_from_step"] = options.QuestionNoiseFromStep.ToString(),
                ["question_noise_made_up"] = options.QuestionNoiseMadeUpShare.ToString("G"),
                ["question_noise_made_up_until_step"] = options.QuestionNoiseMadeUpUntilStep?.ToString() ?? "",
                ["kind_weights"] = options.KindWeights?.ToString() ?? "",
                ["kind_weights_from_step"] = options.KindWeightsFromStep.ToString(),
                ["kind_weights_until_step"] = options.KindWeightsUntilStep?.ToString() ?? "",
                ["adaptive_kind_weights"] = options.AdaptiveKindWeights ? $"decay={options.AdaptiveKindDecay:G},floor={options.AdaptiveKindFloor:G}" : "",
                ["comparison_probe_weight"] = options.ComparisonProbeWeight.ToString("G"),
                ["comparison_probe_layer"] = options.ComparisonProbeLayer.ToString(),
                ["count_probe_weight"] = options.CountProbeWeight.ToString("G"),
                ["alignment_steps"] = options.AlignmentSteps.ToString(),
                ["color_blend_images"] = options.ColorBlendImages.ToString(),
                ["decoder_steps"] = options.DecoderSteps.ToString(),
                ["decoder_learning_rate"] = options.DecoderLearningRate.ToString("R"),
                ["alignment_weight"] = options.AlignmentWeight.ToString("G"),
                ["content_alignment_weight"] = options.ContentAlignmentWeight.ToString("G"),
                ["adversarial_steps"] = options.AdversarialSteps.ToString(),
                ["adversarial_epsilon"] = options.AdversarialEpsilon.ToString("G"),
                ["probe_rows"] = "WorldDataViews.SceneRows(seed + 1, split: train)",
                ["image_position"] = tokenizer.ImagePosition.ToString(),
                ["caption_rows"] = options.CaptionBatchSize <= 0 ? "none" : parse.GetValue(captionRows) switch
                {
                    CaptionRowKind.Edits => "WorldDataViews.TrainingRows(seed + 1)",
                    CaptionRowKind.CanonicalEdits => "WorldDataViews.WriterRows(seed + 1)",
                    _ => "WorldDataViews.TextToImageRows(split: train)",
                },
                ["caption_instruction_drop"] = options.CaptionInstructionDropRate.ToString("R"),
                ["caption_attribute_swap"] = options.CaptionAttributeSwapRate.ToString("R"),
                ["caption_grayscale"] = options.CaptionGrayscaleRate.ToString("R"),
                ["training_rows"] = "WorldDataViews.JudgeRows(split: train)",
                ["augmentation"] = options.Augmentation.ToString(),
            });
            string folder = parse.GetValue(output)!;
            var manifest = judge.Save(folder, record, metrics);
            Console.WriteLine($"Judge written to {folder} (weights sha256 {manifest.WeightsSha256}), {trainSeconds / 60:F1} min.");
            JsonLine.Write(metrics);
            return 0;
        });
        return command;
    }

    /// <summary>The stage order of the one-hour recipe: the two-image kinds before the rest of the single-image ones.</summary>
    private const string OneHourKindGroups =
        "presence,color;compare_same,compare_except,compare_added,compare_removed,compare_changed;background,shape,size,position,count";

    // "a,b;c" -> [[a, b], [c]], each name checked against the world's question kinds.
    private static string[][] ParseKindGroups(string text)
    {
        var groups = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(g => g.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        var known = QuestionKinds.JudgeRows;
        foreach (var kind in groups.SelectMany(g => g))
        {
            if (!known.Contains(kind))
                throw new ArgumentException($"--scene-token-groups: unknown question kind '{kind}'; known: {string.Join(", ", known)}.");
        }
        if (groups.Length == 0 || groups.Any(g => g.Length == 0)) throw new ArgumentException("--scene-token-groups: give at least one kind in every group.");
        return groups;
    }

    private static Command Eval()
    {
        var judgeFolder = JudgeFolder();
        var count = CommonOptions.Count(1000);
        var seed = CommonOptions.Seed(1);
        var device = CommonOptions.Device();
        var command = new Command("eval", "Accuracy on held-out world questions and on NP-Edit's own question templates.") { judgeFolder, count, seed, device };
        command.SetAction(parse =>
        {
            using var judge = JudgeTransformer.Load(ShapesJudge.ResolveFolder(parse.GetValue(judgeFolder)), TorchRuntime.ResolveDevice(parse.GetValue(device)));
            var metrics = JudgeEvaluation.Evaluate(judge, parse.GetValue(count), parse.GetValue(seed));
            Print(metrics);
            JsonLine.Write(MetricsOf(metrics));
            return 0;
        });
        return command;
    }

    private static Command Ask()
    {
        var judgeFolder = JudgeFolder();
        var images = new Option<FileInfo[]>("--image") { Description = "One or two image files (the first is 'the first image').", Required = true, AllowMultipleArgumentsPerToken = false };
        var question = new Option<string>("--question") { Description = "A Yes/No question.", Required = true };
        var device = CommonOptions.Device();
        var command = new Command("ask", "Ask the judge a Yes/No question about one or two images; prints P(Yes).") { judgeFolder, images, question, device };
        command.SetAction(parse =>
        {
            var files = parse.GetValue(images)!;
            if (files.Length is < 1 or > 2)
            {
                Console.Error.WriteLine("Give one or two --image files.");
                return 2;
            }
            using var judge = JudgeTransformer.Load(ShapesJudge.ResolveFolder(parse.GetValue(judgeFolder)), TorchRuntime.ResolveDevice(parse.GetValue(device)));
            int size = judge.Model.Config.VisionConfig.ImageSize;
            var decoded = files.Select(f => ImageDecoding.DecodeFile(f.FullName)).ToList();
            var p = judge.ProbabilityYes(new[] { ((IReadOnlyList<RgbImage>)decoded, parse.GetValue(question)!) })[0];
            Console.WriteLine($"P(Yes) = {p:F4}  ({(p > 0.5 ? "Yes" : "No")}; images are resized to {size}x{size})");
            JsonLine.Write(new { PYes = p, Answer = p > 0.5 ? "Yes" : "No" });
            return 0;
        });
        return command;
    }

    /// <summary>The --normalized step: 50 steps can move an image 0.5 RMS, about twice what recolouring one object takes.</summary>
    private const double NormalizedDefaultStep = 0.01;

    private static Command GradCheck()
    {
        var judgeFolder = JudgeFolder();
        var count = CommonOptions.Count(32);
        var seed = CommonOptions.Seed(1);
        var steps = new Option<int>("--steps") { Description = "Gradient-descent steps on the pixels.", DefaultValueFactory = _ => 50 };
        var lr = new Option<double>("--lr") { Description = "Step size (pixels in [-1, 1]): times the gradient, or with --normalized the RMS distance each image moves per step (default 0.5, with --normalized 0.01).", DefaultValueFactory = _ => 0.5 };
        var normalized = new Option<bool>("--normalized") { Description = "Normalised gradient descent: each step moves each image the same RMS distance along its gradient, whatever the gradient's size." };
        var pool = new Option<int>("--gradient-pool") { Description = "Low-pass the judge's gradient to this pooling factor (1 = the raw gradient).", DefaultValueFactory = _ => 1 };
        var device = CommonOptions.Device();
        var copies = new Option<int>("--augmented-copies") { Description = "Average the gradient over this many randomly perturbed copies of each image (expectation over transformation; 0 = off).", DefaultValueFactory = _ => 0 };
        var purify = new Option<double>("--purify-time") { Description = "Take the judge's gradient on the image re-noised to this time and denoised in one step by the prior (0 = off).", DefaultValueFactory = _ => 0.0 };
        var priorFolder = new Option<string?>("--prior") { Description = "Prior folder for --purify-time (default: the shipped prior)." };
        var command = new Command("gradcheck", "From the source image, descend the edit-success loss of colour edits on the pixels; report P(correct) per step.")
        {
            judgeFolder, count, seed, steps, lr, normalized, pool, copies, purify, priorFolder, device,
        };
        command.SetAction(parse =>
        {
            var onDevice = TorchRuntime.ResolveDevice(parse.GetValue(device));
            using var judge = JudgeTransformer.Load(ShapesJudge.ResolveFolder(parse.GetValue(judgeFolder)), onDevice);
            double purifyTime = parse.GetValue(purify);
            using var prior = purifyTime > 0 ? FlowModelStore.Load(parse.GetValue(priorFolder) ?? ShippedModels.PriorFolder, onDevice).Freeze() : null;
            using var purifier = prior is null ? null : new DiffusionPurifier(prior, purifyTime);
            bool normalizedStep = parse.GetValue(normalized);
            double stepSize = normalizedStep && parse.GetResult(lr) is null or { Implicit: true } ? NormalizedDefaultStep : parse.GetValue(lr);
            var result = JudgeGradientCheck.Run(judge, parse.GetValue(count), parse.GetValue(seed), parse.GetValue(steps), stepSize,
                gradientPool: parse.GetValue(pool), augmentedCopies: parse.GetValue(copies), purifier: purifier, normalizedStep: normalizedStep);
            for (int i = 0; i < result.MeanProbability.Count; i += 5)
            {
                Console.WriteLine($"step {i,3}: mean P(correct) {result.MeanProbability[i]:F3}");
            }
            Console.WriteLine($"step {result.MeanProbability.Count - 1,3}: mean P(correct) {result.MeanProbability[^1]:F3}; oracle sees the colour edit in {result.OracleEditSuccess:P0}; mean |pixel change| {result.MeanAbsolutePixelChange:F3}, RMS {result.RmsPixelChange.Average():F3}; start gradient RMS {result.StartGradientRms:E2}");
            JsonLine.Write(new
            {
                Normalized = normalizedStep,
                StepSize = stepSize,
                StartGradientRms = result.StartGradientRms,
                MeanRmsPixelChange = result.RmsPixelChange.Average(),
                StartPCorrect = result.MeanProbability[0],
                EndPCorrect = result.MeanProbability[^1],
                FractionEndAbove08 = result.EndProbabilities.Count(p => p > 0.8) / (double)result.EndProbabilities.Count,
                OracleEditSuccess = result.OracleEditSuccess,
                MeanAbsPixelChange = result.MeanAbsolutePixelChange,
                Curve = result.MeanProbability.Select(p => Math.Round(p, 4)).ToArray(),
            });
            return 0;
        });
        return command;
    }

    private static Dictionary<string, double> MetricsOf(JudgeMetrics m)
    {
        var metrics = new Dictionary<string, double>
        {
            ["single_image_accuracy"] = m.SingleImageAccuracy,
            ["two_image_accuracy"] = m.TwoImageAccuracy,
            ["template_accept_accuracy"] = m.TemplateAcceptAccuracy,
            ["template_reject_accuracy"] = m.TemplateRejectAccuracy,
            ["held_out_template_accuracy"] = m.HeldOutTemplateAccuracy,
            ["noisy_accuracy"] = m.NoisyAccuracy,
            ["shuffled_image_accuracy"] = m.ShuffledImageAccuracy,
            ["seen_single_image_accuracy"] = m.Seen.SingleImage,
            ["seen_two_image_accuracy"] = m.Seen.TwoImage,
            ["seen_template_accept_accuracy"] = m.Seen.TemplateAccept,
            ["seen_template_reject_accuracy"] = m.Seen.TemplateReject,
        };
        foreach (var (kind, accuracy) in m.ByKind) metrics["kind_" + kind] = accuracy;
        foreach (var (kind, accuracy) in m.HeldOutPhrasingByKind) metrics["held_out_phrasing_" + kind] = accuracy;
        return metrics;
    }

    private static void Print(JudgeMetrics m)
    {
        Console.WriteLine($"Judge on {m.Questions} held-out questions:");
        Console.WriteLine($"  single image {m.SingleImageAccuracy:P2}  two images {m.TwoImageAccuracy:P2}  held-out phrasings {m.HeldOutTemplateAccuracy:P2}  noisy {m.NoisyAccuracy:P2}  shuffled images {m.ShuffledImageAccuracy:P2} (near the single-image figure = the answers ignore the image)");
        Console.WriteLine($"  on questions that hold nothing training left out: single image {m.Seen.SingleImage:P2}  two images {m.Seen.TwoImage:P2}  accept {m.Seen.TemplateAccept:P2}  reject {m.Seen.TemplateReject:P2}");
        Console.WriteLine($"  NP-Edit templates: accept correct edits {m.TemplateAcceptAccuracy:P2}  reject unedited/wrong {m.TemplateRejectAccuracy:P2}");
        foreach (var (kind, accuracy) in m.ByKind)
        {
            string heldOut = m.HeldOutPhrasingByKind.TryGetValue(kind, out var h) ? $"  held-out phrasing {h:P1}" : "";
            Console.WriteLine($"    {kind,-22} {accuracy:P1}{heldOut}");
        }
    }

}
