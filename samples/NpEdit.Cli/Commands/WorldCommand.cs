using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using NpEdit.Cli.Infrastructure;
using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms.Imaging;

namespace NpEdit.Cli.Commands;

/// <summary><c>npedit world render|check</c>: look at the default world and self-test its oracle.</summary>
internal static class WorldCommand
{
    public static Command Create()
    {
        var command = new Command("world", "The default procedural world: scenes, edits, captions, questions and the ground-truth oracle.");
        command.Subcommands.Add(Render());
        command.Subcommands.Add(Check());
        return command;
    }

    private static Option<int> Size() => new("--size")
    {
        Description = "Image side in pixels (32 default; 64 and 128 work too).",
        DefaultValueFactory = _ => SceneRenderer.DefaultSize,
    };

    private static Option<WorldSplit> Split(WorldSplit defaultValue) => new("--split")
    {
        Description = "train (never shows held-out templates or combinations) or eval (everything, disjoint seeds).",
        DefaultValueFactory = _ => defaultValue,
    };

    private static Command Render()
    {
        var count = CommonOptions.Count(32);
        var seed = CommonOptions.Seed();
        var size = Size();
        var split = Split(WorldSplit.Train);
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the PNGs, rows.jsonl and contact_sheet.png.", Required = true };
        var sheetScale = new Option<int>("--sheet-scale") { Description = "Upscaling of the contact sheet tiles.", DefaultValueFactory = _ => 4 };
        var command = new Command("render", "Render edit rows: source and ground-truth target PNGs, a contact sheet, and rows.jsonl with instructions and captions.")
        {
            count, seed, size, split, output, sheetScale,
        };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(count), s = parse.GetValue(size);
            var folder = parse.GetValue(output)!;
            var images = Directory.CreateDirectory(Path.Combine(folder.FullName, "images"));
            var sheet = new ContactSheet(columns: 8, padding: 3, scale: Math.Max(1, parse.GetValue(sheetScale)));
            using var jsonl = new StreamWriter(Path.Combine(folder.FullName, "rows.jsonl"));
            for (int i = 0; i < n; i++)
            {
                var edit = WorldRows.Edit(parse.GetValue(seed), i, parse.GetValue(split));
                var source = SceneRenderer.Render(edit.Source, s);
                var target = SceneRenderer.Render(edit.Target, s);
                string sourceName = $"row_{i:D5}_source.png", targetName = $"row_{i:D5}_target.png";
                ImageEncoding.SavePng(source, Path.Combine(images.FullName, sourceName));
                ImageEncoding.SavePng(target, Path.Combine(images.FullName, targetName));
                sheet.Add(source, i.ToString(CultureInfo.InvariantCulture)).Add(target, edit.EditType.ToString());
                jsonl.WriteLine(RowJson(i, edit, "images/" + sourceName, "images/" + targetName));
                Console.WriteLine($"{i,5}  {edit.EditType,-10} {edit.Instruction}");
            }
            string sheetPath = Path.Combine(folder.FullName, "contact_sheet.png");
            ImageEncoding.SavePng(sheet.Build(), sheetPath);
            Console.WriteLine($"Wrote {n} rows to {folder.FullName} (contact sheet: source, target pairs).");
            JsonLine.Write(new { Rows = n, Size = s, Out = folder.FullName, ContactSheet = sheetPath });
            return 0;
        });
        return command;
    }

    private static string RowJson(int index, EditSample edit, string sourceImage, string targetImage) => new JsonObject
    {
        ["index"] = index,
        ["edit_type"] = edit.EditType.ToString(),
        ["instruction"] = edit.Instruction,
        ["edit_object"] = edit.ObjectPhrase,
        ["source_caption"] = edit.SourceCaption,
        ["edited_caption"] = edit.EditedCaption,
        ["source_image"] = sourceImage,
        ["target_image"] = targetImage,
        ["source_scene"] = JsonNode.Parse(edit.Source.ToJson()),
        ["target_scene"] = JsonNode.Parse(edit.Target.ToJson()),
        ["instruction_template"] = edit.InstructionTemplateId,
        ["caption_template"] = edit.CaptionTemplateId,
        ["held_out"] = edit.UsesHeldOut,
    }.ToJsonString();

    private static Command Check()
    {
        var count = CommonOptions.Count(2000);
        var seed = CommonOptions.Seed();
        var size = Size();
        var split = Split(WorldSplit.Eval);
        var sigma = new Option<double>("--sigma") { Description = "Gaussian noise in [-1, 1] pixel units, added after a 3x3 blur.", DefaultValueFactory = _ => 0.05 };
        var command = new Command("check", "Oracle self-test: recover rendered scenes clean and degraded, and score ground-truth edits per category.")
        {
            count, seed, size, split, sigma,
        };
        command.SetAction(parse =>
        {
            var report = OracleSelfTest.Run(parse.GetValue(count), parse.GetValue(seed), parse.GetValue(size), parse.GetValue(sigma), parse.GetValue(split));
            Console.WriteLine($"Oracle self-test: {report.Count} rows at {report.Size} px, blur 3x3 + noise sigma {report.Sigma}, {report.Seconds:F1} s");
            Console.WriteLine($"  scene recovery  clean {report.SceneRecoveryClean:P2}  noisy {report.SceneRecoveryNoisy:P2}");
            Console.WriteLine($"  {"category",-11} {"rows",5} {"exact clean",12} {"exact noisy",12} {"copy success",13} {"psnr noisy",11}");
            foreach (var c in report.Categories)
            {
                Console.WriteLine($"  {c.Type,-11} {c.Count,5} {c.ExactClean,12:P1} {c.ExactNoisy,12:P1} {c.CopySuccess,13:P1} {c.MeanPsnrNoisy,11:F1}");
            }
            foreach (var failure in report.Failures) Console.WriteLine("  failure: " + failure);
            JsonLine.Write(report.ToMetrics());
            return 0;
        });
        return command;
    }
}
