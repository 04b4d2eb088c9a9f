using System.CommandLine;
using NpEdit.Cli.Infrastructure;
using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Cli.Commands;

/// <summary>
/// <c>npedit prior sdedit</c>: the zero-shot baseline (the prior editing by SDEdit) on held-out edit rows, reading the
/// edited caption (the paper bench's zero-shot row) or the instruction (how much of an instruction the prior's text
/// side understands).
/// </summary>
internal static class PriorSdEditCommand
{
    public enum Text { EditedCaption, Instruction, Writer }

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Prior folder.", DefaultValueFactory = _ => PriorCommand.DefaultFolder };
        var text = new Option<Text>("--text") { Description = "What the prior reads: the row's edited caption, the instruction, or the caption the writer writes from the source and instruction (as the main job's editor reads it).", DefaultValueFactory = _ => Text.EditedCaption };
        var writerFolder = new Option<string?>("--writer") { Description = "Writer folder for --text Writer (default: the shipped models/shapes-writer)." };
        var startTime = new Option<double>("--t0") { Description = "Re-noising time of the source (larger follows the text better, keeps less).", DefaultValueFactory = _ => 0.6 };
        var steps = new Option<int>("--steps") { Description = "Sampling steps from t0.", DefaultValueFactory = _ => 4 };
        var guidance = new Option<double>("--guidance") { Description = "Classifier-free guidance scale.", DefaultValueFactory = _ => 3.0 };
        var count = CommonOptions.Count(1000);
        var seed = CommonOptions.Seed(1);
        var sheet = new Option<string?>("--sheet") { Description = "Write a contact sheet (source, output, target) of the first rows here." };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("sdedit", "Edit held-out rows with the prior alone (SDEdit) and score them with the oracle.")
        {
            model, text, writerFolder, startTime, steps, guidance, count, seed, sheet, device, threads,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var onDevice = TorchRuntime.ResolveDevice(parse.GetValue(device));
            if (parse.GetValue(writerFolder) is not null && parse.GetValue(text) != Text.Writer) throw new ArgumentException("--writer needs --text Writer.");
            using var prior = FlowModelStore.Load(parse.GetValue(model)!, onDevice).Freeze();
            using var writer = parse.GetValue(text) == Text.Writer ? VlmEditTextWriter.FromFolder(ShapesWriter.ResolveFolder(parse.GetValue(writerFolder)), onDevice) : null;
            var editor = new SdEditEditor(prior, parse.GetValue(startTime), parse.GetValue(steps), parse.GetValue(guidance),
                readsInstruction: parse.GetValue(text) == Text.Instruction, writer: writer);
            var result = TrainingDisplay.Count("evaluating", parse.GetValue(count),
                progress => EditEvaluation.Run(editor, parse.GetValue(count), parse.GetValue(seed), progress: progress));
            if (parse.GetValue(sheet) is { } path)
            {
                ImageEncoding.SavePng(EditEvaluation.ContactSheet(result.Rows.Take(24)), path);
                Console.WriteLine($"Contact sheet: {path}");
            }
            EvalCommand.Print(result);
            JsonLine.Write(EvalCommand.ToJson(result));
            return 0;
        });
        return command;
    }
}
