using System.CommandLine;
using Microsoft.ML;
using NpEdit.Cli.Infrastructure;
using NpEdit.Trainers;
using NpEdit.Trainers.Benchmarks;
using NpEdit.Trainers.Supervised;
using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms;
using NpEdit.Transforms.Sampling;

namespace NpEdit.Cli.Commands;

/// <summary>
/// <c>npedit supervised</c>: the supervised baseline on its own: the same generator, from the prior, trained by flow
/// matching on the world's (source, instruction, target) pairs. Why a verb of its own: the paper bench runs it only at
/// NP-Edit's budget and settings; how fast this generator can learn edits from exact pairs bounds what any signal
/// without pairs can teach it in the same time. The model file it writes is evaluated with <c>npedit eval</c>.
/// </summary>
internal static class SupervisedCommand
{
    public const string DefaultModel = "runs/supervised/supervised-editor.npedit";

    public static Command Create()
    {
        var defaults = new SupervisedEditTrainer.Options();
        var steps = new Option<int>("--steps") { Description = "Training steps.", DefaultValueFactory = _ => defaults.Steps };
        var minutes = new Option<double?>("--minutes") { Description = "Stop once this many minutes of training have passed, counted over the whole run, resumes included (an equal-budget comparison)." };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => defaults.BatchSize };
        var learningRate = new Option<double>("--lr") { Description = "AdamW learning rate (constant).", DefaultValueFactory = _ => defaults.LearningRate };
        var textLrScale = new Option<double>("--text-lr-scale") { Description = "The text encoder's learning rate as a multiple of --lr (0 freezes it; an experiment knob).", DefaultValueFactory = _ => defaults.TextEncoderLearningRateScale };
        var rows = new Option<long>("--rows") { Description = "Training pairs of the default world to cycle through.", DefaultValueFactory = _ => 100_000 };
        var textColumn = new Option<string>("--text-column") { Description = "The column the editor reads: Instruction, or EditedCaption (a diagnostic: told the scene to make, not the edit).", DefaultValueFactory = _ => defaults.InstructionColumnName };
        var mode = new Option<SamplerMode>("--mode") { Description = "How the editor samples: Euler (the paper bench's row) or Renoise (NP-Edit's sampler).", DefaultValueFactory = _ => defaults.SamplerMode };
        var output = CommonOptions.ModelOutput(DefaultModel);
        var checkpoints = CommonOptions.CheckpointsBesideModel();
        var prior = CommonOptions.Prior();
        var seed = CommonOptions.Seed();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("supervised", "Train the supervised baseline: the same generator on ground-truth (source, instruction, target) pairs of the default world.")
        {
            steps, minutes, batch, learningRate, textLrScale, rows, textColumn, mode, output, checkpoints, prior, seed, device, threads,
        };
        command.SetAction(parse =>
        {
            using var logging = Logging.Create();
            string model = parse.GetValue(output)!;
            string folder = Path.GetDirectoryName(Path.GetFullPath(model))!;
            var context = new MLContext(seed: parse.GetValue(seed));
            var options = new SupervisedEditTrainer.Options
            {
                Steps = parse.GetValue(steps),
                TimeBudget = parse.GetValue(minutes) is { } m ? TimeSpan.FromMinutes(m) : null,
                BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(learningRate),
                TextEncoderLearningRateScale = parse.GetValue(textLrScale),
                InstructionColumnName = parse.GetValue(textColumn)!,
                SamplerMode = parse.GetValue(mode),
                PriorFolder = parse.GetValue(prior),
                Seed = parse.GetValue(seed),
                Device = parse.GetValue(device),
                Threads = parse.GetValue(threads),
                CheckpointFolder = parse.GetValue(checkpoints) ?? Path.Combine(folder, "checkpoints"),
                Logger = logging.CreateLogger("supervised"),
            };
            // Training pairs come from the train split, like NP-Edit's rows; the evaluation rows stay held out.
            var data = WorldDataViews.EvaluationRows(context, parse.GetValue(rows), parse.GetValue(seed), split: WorldSplit.Train);
            var trainer = new SupervisedEditTrainer(context, options);
            using var editor = TrainingDisplay.Run("supervised", options.Steps, progress =>
            {
                options.Progress = progress;
                return trainer.Fit(data);
            });
            NpEditModelFile.Save(context, editor, data.Schema, model);
            LossCsv.Write(trainer.LossHistory, Path.Combine(folder, "losses.csv"));
            Console.WriteLine($"Supervised editor written to {model} after {trainer.StepsDone} steps, {trainer.LastFitDuration.TotalMinutes:F1} min of training.");
            JsonLine.Write(new Dictionary<string, object> { ["train_seconds"] = trainer.LastFitDuration.TotalSeconds, ["steps"] = trainer.StepsDone });
            return 0;
        });
        return command;
    }
}
