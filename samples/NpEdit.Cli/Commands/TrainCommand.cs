using System.CommandLine;
using Microsoft.ML;
using NpEdit.Cli.Infrastructure;
using NpEdit.Trainers;
using NpEdit.Trainers.Editing;
using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.IO;

namespace NpEdit.Cli.Commands;

/// <summary>
/// <c>npedit train</c>: the product's main job. Trains an editor on the default world, without pairs, from the
/// shipped prior and judge; writes the model file and a contact sheet of held-out edits.
/// </summary>
internal static class TrainCommand
{
    public const string DefaultModel = "runs/editor/shapes-editor.npedit";

    public static Command Create()
    {
        var defaults = new NpEditTrainer.Options();
        var steps = new Option<int>("--steps") { Description = "Total steps (copy warm-up included).", DefaultValueFactory = _ => defaults.Steps };
        var warmup = new Option<int>("--warmup") { Description = "Copy warm-up steps.", DefaultValueFactory = _ => defaults.WarmupCopySteps };
        var warmupInstruction = new Option<double>("--warmup-instruction-p") { Description = "Probability that a copy warm-up row is conditioned on its instruction rather than its source caption.", DefaultValueFactory = _ => defaults.WarmupInstructionProbability };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => defaults.BatchSize };
        var rows = new Option<long>("--rows") { Description = "Training rows of the default world to cycle through.", DefaultValueFactory = _ => 100_000 };
        var editTypes = new Option<EditType[]>("--edit-types") { Description = "Train on edits of these categories only (all by default), e.g. --edit-types Color Size.", AllowMultipleArgumentsPerToken = true };
        var textColumn = new Option<string>("--text-column") { Description = "The column the editor reads its text from: Instruction, or EditedCaption (a diagnostic: the editor is told the scene to make, not the edit).", DefaultValueFactory = _ => defaults.InstructionColumnName };
        var captionText = new Option<double>("--caption-text-p") { Description = "Extension: probability that the student reads the edited caption instead of the instruction in the NP-Edit stage (0 = off).", DefaultValueFactory = _ => defaults.EditedCaptionTextProbability };
        var consistency = new Option<double>("--caption-consistency") { Description = "Extension: weight of the pull of the instruction's output towards a DMD-trained unroll that reads the edited caption (0 = off).", DefaultValueFactory = _ => defaults.CaptionConsistencyWeight };
        var writer = new Option<string?>("--writer") { Description = "Edited-caption writer folder (default: the shipped models/shapes-writer; judge train --caption-rows CanonicalEdits), stored in the model: the editor reads the caption it writes from each image and instruction. Sets --caption-text-p to 1, --warmup-instruction-p to 0 and --vlm-weight to 0.1 unless given." };
        var refine = new Option<double>("--refine-time") { Description = "Extension: the editor ends each edit with one step of the frozen prior at this time, and the model file carries the prior (0 = off, the paper's editor).", DefaultValueFactory = _ => NpEditTrainer.Options.MainJobRefineTime };
        var writerText = new Option<double>("--writer-text-p") { Description = "Extension: probability that the student reads the writer's caption of a row (what it reads at inference) instead of the true edited caption in the NP-Edit stage (0 = off; needs a writer).", DefaultValueFactory = _ => defaults.WriterTextProbability };
        var noWriter = new Option<bool>("--no-writer") { Description = "No writer: the editor reads the instruction itself (the main job's recipe until 5 Dec)." };
        var output = CommonOptions.ModelOutput(DefaultModel);
        var checkpoints = CommonOptions.CheckpointsBesideModel();
        var prior = CommonOptions.Prior();
        var judge = new Option<string?>("--judge") { Description = "Judge folder (default: the shipped models/shapes-judge)." };
        var evalCount = new Option<int>("--eval-count") { Description = "Held-out rows to evaluate and show after training.", DefaultValueFactory = _ => 200 };
        var seed = CommonOptions.Seed();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var settings = EditorSettingsOptions.Create();
        var command = new Command("train", "Train an instruction-following editor on the default world without any before/after pairs.")
        {
            steps, warmup, warmupInstruction, batch, rows, editTypes, textColumn, captionText, consistency, writer, writerText, noWriter, refine, output, checkpoints, prior, judge, evalCount, seed, device, threads,
        };
        settings.AddTo(command);
        command.SetAction(parse =>
        {
            using var logging = Logging.Create();
            string model = parse.GetValue(output)!;
            string folder = Path.GetDirectoryName(Path.GetFullPath(model))!;
            var context = new MLContext(seed: parse.GetValue(seed));
            if (parse.GetValue(noWriter) && parse.GetValue(writer) is not null) throw new ArgumentException("Give --writer or --no-writer, not both.");
            // The diagnostic text column already gives the student the caption; a writer is the product path for instructions.
            bool withWriter = !parse.GetValue(noWriter) && parse.GetValue(textColumn) == defaults.InstructionColumnName;
            string? writerFolder = withWriter ? ShapesWriter.ResolveFolder(parse.GetValue(writer)) : null;
            var options = new NpEditTrainer.Options
            {
                Steps = parse.GetValue(steps),
                WarmupCopySteps = parse.GetValue(warmup),
                WarmupInstructionProbability = parse.GetValue(warmupInstruction),
                BatchSize = parse.GetValue(batch),
                InstructionColumnName = parse.GetValue(textColumn)!,
                EditedCaptionTextProbability = parse.GetValue(captionText),
                CaptionConsistencyWeight = parse.GetValue(consistency),
                PriorFolder = parse.GetValue(prior),
                JudgeFolder = parse.GetValue(judge),
                Seed = parse.GetValue(seed),
                Device = parse.GetValue(device),
                Threads = parse.GetValue(threads),
                RefineTime = parse.GetValue(refine),
                CheckpointFolder = parse.GetValue(checkpoints) ?? Path.Combine(folder, "checkpoints"),
                Logger = logging.CreateLogger("np-edit"),
            };
            settings.Apply(parse, options);
            if (writerFolder is not null)
            {
                // The writer's recipe, then whatever the command line gave explicitly.
                options.ReadWriterCaptions(writerFolder);
                if (Given(parse, captionText)) options.EditedCaptionTextProbability = parse.GetValue(captionText);
                if (Given(parse, warmupInstruction)) options.WarmupInstructionProbability = parse.GetValue(warmupInstruction);
                if (Given(parse, settings.VlmWeight)) options.VlmWeight = parse.GetValue(settings.VlmWeight);
            }
            options.WriterTextProbability = parse.GetValue(writerText);
            if (options.InstructionColumnName != defaults.InstructionColumnName && options.UseVlmLoss)
                throw new ArgumentException($"--text-column {options.InstructionColumnName} needs --no-vlm: the judge's questions quote the instruction.");
            var types = parse.GetValue(editTypes) is { Length: > 0 } chosen ? chosen : null;
            var data = WorldDataViews.TrainingRows(context, parse.GetValue(rows), parse.GetValue(seed), types: types);
            var trainer = context.ImageEditing().Trainers.NpEdit(options);
            using var editor = TrainingDisplay.Run("np-edit", options.Steps, progress =>
            {
                options.Progress = progress;
                return trainer.Fit(data);
            });
            NpEditModelFile.Save(context, editor, data.Schema, model, Record(options, trainer.LastFitDuration.TotalSeconds));
            NpEdit.Trainers.Benchmarks.LossCsv.Write(trainer.LossHistory, Path.Combine(folder, "losses.csv"));
            Console.WriteLine($"Editor written to {model} ({new FileInfo(model).Length / 1024.0:F0} KiB) after {trainer.LastFitDuration.TotalMinutes:F1} min of training; {trainer.SkippedSteps} step(s) skipped.");

            var summary = new Dictionary<string, object> { ["train_seconds"] = trainer.LastFitDuration.TotalSeconds, ["skipped_steps"] = trainer.SkippedSteps };
            if (parse.GetValue(evalCount) > 0)
            {
                var result = TrainingDisplay.Count("evaluating", parse.GetValue(evalCount),
                    progress => EditEvaluation.Run(new TransformerEditor(editor), parse.GetValue(evalCount), seed: 1, progress: progress));
                string sheet = Path.Combine(folder, "heldout-edits.png");
                ImageEncoding.SavePng(EditEvaluation.ContactSheet(result.Rows.Take(24)), sheet);
                EvalCommand.Print(result);
                Console.WriteLine($"Contact sheet of held-out edits: {sheet}");
                summary["edit_success"] = result.Overall.EditSuccess;
                summary["preserved"] = result.Overall.Preserved;
                summary["exact"] = result.Overall.Exact;
            }
            JsonLine.Write(summary);
            return 0;
        });
        return command;
    }

    /// <summary>The resolved settings (after defaults and the writer's recipe), so the file says how it was made.</summary>
    private static TrainingRecord Record(NpEditTrainer.Options o, double trainSeconds) => ThisRun.Record(o.Seed, o.Steps, trainSeconds, new Dictionary<string, string>
    {
        ["batch_size"] = o.BatchSize.ToString(),
        ["warmup_copy_steps"] = o.WarmupCopySteps.ToString(),
        ["warmup_instruction_probability"] = o.WarmupInstructionProbability.ToString("R"),
        ["edited_caption_text_probability"] = o.EditedCaptionTextProbability.ToString("R"),
        ["text_writer_folder"] = o.TextWriterFolder ?? "",
        ["writer_text_probability"] = o.WriterTextProbability.ToString("R"),
        ["refine_time"] = o.RefineTime.ToString("R"),
        ["prior_folder"] = o.PriorFolder ?? ShippedModels.PriorFolder,
        ["judge_folder"] = o.JudgeFolder ?? ShippedModels.JudgeFolder,
        ["vlm_loss"] = o.UseVlmLoss ? $"{o.VlmLoss}, weight {o.VlmWeight:R}, identity {o.UseIdentityQuestion}" : "off",
        ["dmd_loss"] = o.UseDmdLoss ? $"weight {o.DmdWeight:R}, guidance {o.DmdGuidanceScale:R}, t in [{o.DmdTimeMin:R}, {o.DmdTimeMax:R}], fake score {o.FakeScore} x{o.FakeScoreUpdates}" : "off",
        ["unroll"] = o.Unroll.ToString(),
        ["learning_rates"] = $"student {o.LearningRate:R}, fake {o.FakeLearningRate:R}, warm-up {o.WarmupLearningRate:R}",
        ["do_nothing"] = $"p {o.DoNothingProbability:R}, weight {o.DoNothingWeight:R}",
        ["threads_option"] = o.Threads.ToString(),
    });

    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };
}
