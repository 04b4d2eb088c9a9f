using System.CommandLine;
using Microsoft.ML;
using NpEdit.Cli.Infrastructure;
using NpEdit.Trainers;
using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using NpEdit.Transforms.Sampling;

namespace NpEdit.Cli.Commands;

/// <summary><c>npedit eval</c>: oracle metrics of an editor on held-out rows of the default world.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by train.", DefaultValueFactory = _ => TrainCommand.DefaultModel };
        var count = CommonOptions.Count(1000);
        var seed = CommonOptions.Seed(1);
        var steps = new Option<int>("--steps") { Description = "Sampling steps (the editor is trained for 4).", DefaultValueFactory = _ => 4 };
        var mode = new Option<SamplerMode?>("--mode") { Description = "Sampler: Euler or Renoise (default: the one the model was saved with)." };
        var refineTime = new Option<double?>("--refine-time") { Description = "Refinement time of the prior's final step (0 = off; default: the model's own)." };
        var refinerFolder = new Option<string?>("--refiner") { Description = "A prior folder to refine with (default: the refiner the model file carries), e.g. to try refinement on a model saved without one." };
        var keepBelow = CommonOptions.KeepBelow();
        var text = new Option<string?>("--text") { Description = "What each row gives the editor: Instruction or EditedCaption (default: the column the model was trained to read; EditedCaption is a diagnostic)." };
        var writerFolder = new Option<string?>("--writer") { Description = "A judge folder trained to write edited captions (judge train --caption-rows Edits): the editor reads the caption it writes from each source image and instruction." };
        var beam = new Option<int?>("--beam") { Description = "Captions the writer keeps while decoding (1 = greedy; default: the writer's own)." };
        var noVerify = new Option<bool>("--no-verify") { Description = "The writer keeps its captions as decoded, without checking their object phrases against its own answers (a diagnostic)." };
        var sheet = new Option<string?>("--sheet") { Description = "Write a contact sheet (source, output, target) of the first rows here." };
        var device = CommonOptions.Device();
        var command = new Command("eval", "Edit held-out rows of the default world and score them with the oracle.") { model, count, seed, steps, mode, refineTime, refinerFolder, keepBelow, text, writerFolder, beam, noVerify, sheet, device };
        command.SetAction(parse =>
        {
            var context = new MLContext();
            var resolved = TorchRuntime.ResolveDevice(parse.GetValue(device), context);
            using var chain = NpEditModelFile.Load(context, parse.GetValue(model)!, resolved);
            var loaded = chain.OfType<NpEditTransformer>().Single();
            using var otherRefiner = parse.GetValue(refinerFolder) is { } priorFolder ? FlowModelStore.Load(priorFolder, resolved) : null;
            var refiner = otherRefiner ?? loaded.Refiner;
            double refine = parse.GetValue(refineTime) ?? loaded.Options.RefineTime;
            if (refine > 0 && refiner is null)
                throw new ArgumentException($"{parse.GetValue(model)} carries no refiner: give --refiner DIR (a prior folder, e.g. {ShippedModels.PriorFolder}) or --refine-time 0.");
            // A view of the loaded editor with this run's refinement; the chain owns (and disposes) the models.
            var editor = new NpEditTransformer(loaded.Editor, loaded.Options with { RefineTime = refine, KeepSourceBelow = parse.GetValue(keepBelow) ?? loaded.Options.KeepSourceBelow }, loaded.TextWriter, refine > 0 ? refiner : null);
            var sampler = editor.Options.Sampler with { Steps = parse.GetValue(steps), Mode = parse.GetValue(mode) ?? editor.Options.Sampler.Mode };
            bool verify = !parse.GetValue(noVerify);
            using var fromFolder = parse.GetValue(writerFolder) is { } folder ? VlmEditTextWriter.FromFolder(folder, resolved, verify) : null;
            var carried = (editor.TextWriter as VlmEditTextWriter)?.Writer;
            var writer = fromFolder is not null ? fromFolder.Writer.WithDecoding(parse.GetValue(beam) ?? 1)
                : carried is not null && (parse.GetValue(beam) is not null || !verify) ? carried.WithDecoding(parse.GetValue(beam) ?? carried.BeamWidth, verify)
                : null;
            if ((parse.GetValue(beam) is not null || !verify) && writer is null)
                throw new ArgumentException($"--beam and --no-verify need a caption writer: {parse.GetValue(model)} carries none, so give --writer DIR.");
            var adapter = new TransformerEditor(editor, sampler, textColumn: parse.GetValue(text), writer: writer);
            var result = TrainingDisplay.Count("evaluating", parse.GetValue(count),
                progress => EditEvaluation.Run(adapter, parse.GetValue(count), parse.GetValue(seed), progress: progress));
            if (parse.GetValue(sheet) is { } path)
            {
                Func<EditSample, string> label = adapter.ReadsEditedCaption ? e => e.EditedCaption : e => e.Instruction;
                ImageEncoding.SavePng(EditEvaluation.ContactSheet(result.Rows.Take(24), label: label), path);
                Console.WriteLine($"Contact sheet: {path}");
            }
            Print(result);
            JsonLine.Write(ToJson(result));
            return 0;
        });
        return command;
    }

    public static void Print(EditEvaluationResult result)
    {
        Console.WriteLine($"{result.Editor}: {result.Overall.Count} held-out rows in {result.Seconds:F0} s");
        Console.WriteLine($"{"category",-12} {"n",5} {"success",8} {"preserved",10} {"exact",6} {"psnr",6}");
        foreach (var (name, m) in result.ByCategory.Append(new KeyValuePair<string, EditMetricsSummary>("overall", result.Overall)))
        {
            Console.WriteLine($"{name,-12} {m.Count,5} {m.EditSuccess,8:F3} {m.Preserved,10:F3} {m.Exact,6:F3} {m.Psnr,6:F1}");
        }
        Console.WriteLine("by what training never showed:");
        foreach (var (name, m) in RowNovelty.Summaries(result.Rows))
        {
            Console.WriteLine($"{name,-20} {m.Count,5} {m.EditSuccess,8:F3} {m.Preserved,10:F3} {m.Exact,6:F3} {m.Psnr,6:F1}");
        }
        PrintPreservationFailures(result);
    }

    /// <summary>Per category, the share of rows each cause kept from being preserved.</summary>
    private static void PrintPreservationFailures(EditEvaluationResult result)
    {
        var causes = PreservationBreakdown.Causes;
        Console.WriteLine("not preserved, by cause (share of rows):");
        Console.WriteLine($"{"category",-12} " + string.Join(" ", causes.Select(c => $"{PreservationBreakdown.Name(c),17}")));
        var groups = result.Rows.GroupBy(r => EditEvaluation.Category(r.Edit.EditType)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, Rows: (IReadOnlyCollection<EditRowResult>)g.ToList()))
            .Append(("overall", result.Rows.ToList()));
        foreach (var (name, rows) in groups)
        {
            var shares = PreservationBreakdown.Of(rows);
            Console.WriteLine($"{name,-12} " + string.Join(" ", causes.Select(c => $"{shares[c],17:F3}")));
        }
    }

    public static Dictionary<string, object> ToJson(EditEvaluationResult result) => new()
    {
        ["edit_success"] = result.Overall.EditSuccess,
        ["preserved"] = result.Overall.Preserved,
        ["exact"] = result.Overall.Exact,
        ["psnr"] = result.Overall.Psnr,
        ["count"] = result.Overall.Count,
        ["preservation_failures"] = PreservationBreakdown.Of(result.Rows.ToList()).ToDictionary(kv => PreservationBreakdown.Name(kv.Key), kv => kv.Value),
        ["by_category"] = result.ByCategory.ToDictionary(kv => kv.Key, kv => new Dictionary<string, double>
        {
            ["edit_success"] = kv.Value.EditSuccess,
            ["preserved"] = kv.Value.Preserved,
            ["exact"] = kv.Value.Exact,
            ["psnr"] = kv.Value.Psnr,
            ["count"] = kv.Value.Count,
        }),
        ["by_novelty"] = RowNovelty.Summaries(result.Rows).ToDictionary(kv => kv.Key, kv => new Dictionary<string, double>
        {
            ["edit_success"] = kv.Value.EditSuccess,
            ["preserved"] = kv.Value.Preserved,
            ["exact"] = kv.Value.Exact,
            ["count"] = kv.Value.Count,
        }),
    };
}
