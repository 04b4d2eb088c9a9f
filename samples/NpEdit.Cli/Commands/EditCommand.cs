using System.CommandLine;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using NpEdit.Cli.Infrastructure;
using NpEdit.Transforms;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Cli.Commands;

/// <summary>
/// <c>npedit edit</c>: apply a trained editor to one image, or to every row of a JSONL file through the ML.NET
/// pipeline (LoadRawImageBytes → NP-Edit), writing one PNG per edited row and reporting rows that failed.
/// </summary>
internal static class EditCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by train.", DefaultValueFactory = _ => TrainCommand.DefaultModel };
        var image = new Option<string?>("--image") { Description = "One source image." };
        var instruction = new Option<string?>("--instruction") { Description = "The instruction for --image." };
        var input = new Option<string?>("--input") { Description = "JSONL rows {\"image\": path, \"instruction\": text} (paths relative to the file)." };
        var output = new Option<string>("--out") { Description = "Output PNG (single image) or folder (batch).", Required = true };
        var seed = CommonOptions.Seed();
        var keepSize = new Option<bool>("--keep-size") { Description = "Resize results back to each source's size." };
        var refineTime = new Option<double?>("--refine-time") { Description = "Refinement time of the prior's final step (0 = off; default: the model's own; above 0 needs a model saved with a refiner)." };
        var keepBelow = CommonOptions.KeepBelow();
        var device = CommonOptions.Device();
        var command = new Command("edit", "Edit images with a trained editor.") { model, image, instruction, input, output, seed, keepSize, refineTime, keepBelow, device };
        command.SetAction(parse =>
        {
            var context = new MLContext();
            using var chain = NpEditModelFile.Load(context, parse.GetValue(model)!, TorchRuntime.ResolveDevice(parse.GetValue(device), context));
            var loaded = chain.OfType<NpEditTransformer>().Single();
            double refine = parse.GetValue(refineTime) ?? loaded.Options.RefineTime;
            using var editor = new NpEditTransformer(loaded.Editor, loaded.Options with
            {
                Seed = parse.GetValue(seed),
                ResizeOutputToInput = parse.GetValue(keepSize),
                RefineTime = refine,
                KeepSourceBelow = parse.GetValue(keepBelow) ?? loaded.Options.KeepSourceBelow,
                ImageColumnName = "ImageBytes",
                InstructionColumnName = "Instruction",
            }, loaded.TextWriter, refine > 0 ? loaded.Refiner : null);
            if (parse.GetValue(input) is { } jsonl) return Batch(context, editor, jsonl, parse.GetValue(output)!);
            if (parse.GetValue(image) is not { } path || parse.GetValue(instruction) is not { } text)
            {
                Console.Error.WriteLine("Give --image and --instruction, or --input rows.jsonl.");
                return 2;
            }
            var source = ImageDecoding.DecodeFile(path);
            var edited = editor.Edit(new[] { source }, new[] { text }, parse.GetValue(seed))[0];
            ImageEncoding.SavePng(edited, parse.GetValue(output)!);
            Console.WriteLine($"Wrote {parse.GetValue(output)}");
            return 0;
        });
        return command;
    }

    private sealed class Row
    {
        public string ImagePath { get; set; } = "";
        public string Instruction { get; set; } = "";
    }

    private static int Batch(MLContext context, NpEditTransformer editor, string jsonl, string outFolder)
    {
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(jsonl))!;
        var rows = new List<Row>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(jsonl))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                string imagePath = doc.RootElement.GetProperty("image").GetString() ?? "";
                rows.Add(new Row
                {
                    ImagePath = Path.IsPathRooted(imagePath) ? imagePath : Path.Combine(baseDir, imagePath),
                    Instruction = doc.RootElement.TryGetProperty("instruction", out var ins) ? ins.GetString() ?? "" : "",
                });
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                Console.Error.WriteLine($"{jsonl}:{lineNumber}: skipped, not a row with \"image\" and \"instruction\" ({ex.Message})");
            }
        }
        Directory.CreateDirectory(outFolder);
        // A missing file must not stop the batch: it becomes an empty byte column, which the editor reports per row.
        var data = context.Data.LoadFromEnumerable(rows.Select(r => new RawRow
        {
            ImageBytes = File.Exists(r.ImagePath) ? File.ReadAllBytes(r.ImagePath) : Array.Empty<byte>(),
            Instruction = r.Instruction,
            ImagePath = r.ImagePath,
        }));
        var edited = editor.Transform(data);
        int ok = 0, failed = 0;
        TrainingDisplay.Count("editing", rows.Count, progress =>
        {
            using var cursor = edited.GetRowCursor(edited.Schema);
            var image = cursor.GetGetter<MLImage>(edited.Schema[editor.Options.OutputColumnName]);
            var error = cursor.GetGetter<ReadOnlyMemory<char>>(edited.Schema[editor.Options.ErrorColumnName]);
            var pathGetter = cursor.GetGetter<ReadOnlyMemory<char>>(edited.Schema["ImagePath"]);
            int index = 0;
            while (cursor.MoveNext())
            {
                MLImage result = null!;
                ReadOnlyMemory<char> message = default, sourcePath = default;
                image(ref result);
                error(ref message);
                pathGetter(ref sourcePath);
                if (message.Length > 0 || result is null)
                {
                    failed++;
                    Console.Error.WriteLine($"{sourcePath}: {message}");
                }
                else
                {
                    string name = $"{index:D5}-{Path.GetFileNameWithoutExtension(sourcePath.ToString())}.png";
                    ImageEncoding.SavePng(MLImageInterop.ToRgbImage(result), Path.Combine(outFolder, name));
                    result.Dispose();
                    ok++;
                }
                progress.Report(++index);
            }
            return 0;
        });
        Console.WriteLine($"Edited {ok} row(s) into {outFolder}; {failed} row(s) failed (listed on stderr).");
        JsonLine.Write(new Dictionary<string, int> { ["edited"] = ok, ["failed"] = failed });
        return failed > 0 && ok == 0 ? 1 : 0;
    }

    private sealed class RawRow
    {
        [VectorType]
        public byte[] ImageBytes { get; set; } = Array.Empty<byte>();
        public string Instruction { get; set; } = "";
        public string ImagePath { get; set; } = "";
    }
}
