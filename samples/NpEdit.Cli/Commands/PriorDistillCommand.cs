using System.CommandLine;
using Microsoft.ML;
using NpEdit.Cli.Infrastructure;
using NpEdit.Trainers;
using NpEdit.Trainers.Editing;
using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms;
using NpEdit.Transforms.IO;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Cli.Commands;

/// <summary>
/// <c>npedit prior distill</c>: DMD2's distillation of the prior into a few-step text-to-image student, with NP-Edit's
/// own trainer (no reference image, no judge, DMD only). Why: before DMD can carry edits it has to work where the
/// literature says it does; the student's oracle fidelity at 4 steps is measured against the teacher's. It offers
/// <see cref="EditorSettingsOptions"/> without the judge's options, which would mean nothing here.
/// </summary>
internal static class PriorDistillCommand
{
    public static Command Create()
    {
        var defaults = new NpEditTrainer.Options();
        var steps = new Option<int>("--steps") { Description = "Generator steps.", DefaultValueFactory = _ => 600 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => defaults.BatchSize };
        var prior = new Option<string?>("--prior") { Description = "Prior folder (teacher, student and fake score start from it; default: the shipped models/shapes-prior)." };
        var output = new Option<string>("--out") { Description = "Folder to write the student to (a flow-model folder, like the prior).", Required = true };
        var checkpoints = new Option<string?>("--checkpoints") { Description = "Checkpoint folder (default: checkpoints beside --out); a run resumes from it." };
        var evalCount = new Option<int>("--eval-count") { Description = "Held-out captions to evaluate the student on (4 steps, no guidance; 0 = skip).", DefaultValueFactory = _ => 1000 };
        var sheet = new Option<string?>("--sheet") { Description = "Write a contact sheet of the first 64 evaluation samples here." };
        var seed = CommonOptions.Seed();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var settings = EditorSettingsOptions.Create();
        var command = new Command("distill", "Distil the prior into a 4-step text-to-image student with DMD alone (the check that distribution matching works apart from editing).")
        {
            steps, batch, prior, output, checkpoints, evalCount, sheet, seed, device, threads,
        };
        settings.AddTo(command, withEditingOptions: false);
        command.SetAction(parse =>
        {
            using var logging = Logging.Create();
            string folder = Path.GetFullPath(parse.GetValue(output)!);
            var context = new MLContext(seed: parse.GetValue(seed));
            var options = new NpEditTrainer.Options
            {
                Steps = parse.GetValue(steps),
                WarmupCopySteps = 0,
                UseReference = false,
                DoNothingProbability = 0,
                BatchSize = parse.GetValue(batch),
                PriorFolder = parse.GetValue(prior) ?? ShippedModels.PriorFolder,
                Seed = parse.GetValue(seed),
                Device = parse.GetValue(device),
                Threads = parse.GetValue(threads),
                CheckpointFolder = parse.GetValue(checkpoints) ?? folder + "-checkpoints",
                Logger = logging.CreateLogger("distill"),
            };
            settings.Apply(parse, options);
            options.UseVlmLoss = false;
            if (!options.UseDmdLoss) throw new ArgumentException("prior distill trains with DMD alone; --no-dmd leaves it nothing to do.");

            var data = CaptionsAsEditRows(context, parse.GetValue(seed));
            var trainer = context.ImageEditing().Trainers.NpEdit(options);
            using var student = TrainingDisplay.Run("distill", options.Steps, progress =>
            {
                options.Progress = progress;
                return trainer.Fit(data);
            });
            var record = ThisRun.Record(options.Seed, options.Steps, trainer.LastFitDuration.TotalSeconds, new Dictionary<string, string>
            {
                ["kind"] = "dmd-distilled text-to-image student (4 steps, re-noising sampler, no guidance)",
                ["teacher"] = options.PriorFolder!,
            });
            var metrics = new Dictionary<string, double>();
            var summary = new Dictionary<string, object> { ["train_seconds"] = trainer.LastFitDuration.TotalSeconds, ["skipped_steps"] = trainer.SkippedSteps };
            if (parse.GetValue(evalCount) > 0)
            {
                using var generator = new TextToImageTransformer(student.Editor.Clone(), sampler: options.Sampler());
                var result = PriorCommand.EvaluateWithSheet(generator, parse.GetValue(evalCount), seed: 1, options.Sampler(), parse.GetValue(sheet));
                metrics["attribute_accuracy"] = result.AttributeAccuracy;
                metrics["exact_match"] = result.ExactMatch;
                foreach (var (k, v) in result.ByAttribute) metrics[$"accuracy_{k}"] = v;
                Console.WriteLine($"{result.Count} held-out captions, 4 steps, no guidance: attribute accuracy {result.AttributeAccuracy:F3}, exact match {result.ExactMatch:F3}");
                summary["attribute_accuracy"] = result.AttributeAccuracy;
                summary["exact_match"] = result.ExactMatch;
                summary["by_attribute"] = result.ByAttribute;
            }
            FlowModelStore.Save(student.Editor, folder, record, metrics);
            Console.WriteLine($"Student written to {folder} after {trainer.LastFitDuration.TotalMinutes:F1} min of training; {trainer.SkippedSteps} step(s) skipped.");
            JsonLine.Write(summary);
            return 0;
        });
        return command;
    }

    /// <summary>Text-to-image rows in the trainer's columns: the caption is the instruction and both captions.</summary>
    private static IDataView CaptionsAsEditRows(MLContext context, int seed)
    {
        var rows = WorldDataViews.TextToImageRows(context, 1_000_000, seed);
        var copy = context.Transforms.CopyColumns("Instruction", WorldColumns.Caption)
            .Append(context.Transforms.CopyColumns("SourceCaption", WorldColumns.Caption))
            .Append(context.Transforms.CopyColumns("EditedCaption", WorldColumns.Caption));
        return copy.Fit(rows).Transform(rows);
    }
}
