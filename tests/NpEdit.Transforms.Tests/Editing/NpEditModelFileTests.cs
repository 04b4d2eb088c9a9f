using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using NpEdit.Transforms.IO;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Transforms.Tests.Editing;

public sealed class NpEditModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("npedit-file-").FullName;

    public NpEditModelFileTests() => TorchRuntime.EnsureInitialized();
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class PathRow
    {
        public string Path { get; set; } = "";
        public string Instruction { get; set; } = "";
    }

    /// <summary>LoadImages (ML.NET) → NP-Edit → ConvertToGrayscale (ML.NET), fitted on image files.</summary>
    private (ITransformer Model, IDataView Data) Pipeline(MLContext context)
    {
        var paths = new[] { (200, 30, 30), (30, 200, 30), (30, 30, 200) }.Select((c, i) =>
        {
            string path = System.IO.Path.Combine(_dir, $"src{i}.png");
            ImageEncoding.SavePng(RgbImage.Filled(16, 16, (byte)c.Item1, (byte)c.Item2, (byte)c.Item3), path);
            return new PathRow { Path = path, Instruction = i == 2 ? "remove the square" : "make the circle blue" };
        }).ToList();
        var data = context.Data.LoadFromEnumerable(paths);
        var before = context.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "Path").Fit(data);
        var editor = NpEditTransformerTests.TinyEditor(new NpEditTransformerOptions { BatchSize = 2, Seed = 3 });
        var afterInput = editor.Transform(before.Transform(data));
        var after = context.Transforms.ConvertToGrayscale("Gray", "EditedImage").Fit(afterInput);
        var chain = new TransformerChain<ITransformer>(before, editor, after);
        return (chain, data);
    }

    private static List<byte[]> Outputs(ITransformer model, IDataView data)
    {
        var view = model.Transform(data);
        var result = new List<byte[]>();
        using var cursor = view.GetRowCursor(view.Schema);
        var edited = cursor.GetGetter<MLImage>(view.Schema["EditedImage"]);
        var gray = cursor.GetGetter<MLImage>(view.Schema["Gray"]);
        while (cursor.MoveNext())
        {
            MLImage a = null!, b = null!;
            edited(ref a);
            gray(ref b);
            result.Add(MLImageInterop.ToRgbImage(a).Pixels.Concat(MLImageInterop.ToRgbImage(b).Pixels).ToArray());
        }
        return result;
    }

    [Fact]
    public void A_pipeline_with_mlnet_transforms_round_trips_through_one_file_bit_for_bit()
    {
        var context = new MLContext(seed: 1);
        var (model, data) = Pipeline(context);
        string path = System.IO.Path.Combine(_dir, "model.npedit");
        NpEditModelFile.Save(context, model, data.Schema, path);
        File.Exists(path).Should().BeTrue();

        var loaded = NpEditModelFile.Load(new MLContext(seed: 2), path);
        loaded.Count().Should().Be(3);
        loaded.ElementAt(1).Should().BeOfType<NpEditTransformer>();
        var original = Outputs(model, data);
        var reloaded = Outputs(loaded, data);
        reloaded.Should().HaveCount(3);
        for (int i = 0; i < 3; i++) reloaded[i].Should().Equal(original[i], $"row {i} is identical after save and load");
    }

    [Fact]
    public void An_editor_with_a_refiner_round_trips_bit_for_bit_and_carries_the_refiner()
    {
        var context = new MLContext(seed: 1);
        var tiny = NpEditTransformerTests.TinyEditor();
        using var editor = new NpEditTransformer(tiny.Editor, new NpEditTransformerOptions { BatchSize = 2, Seed = 3, RefineTime = 0.2 },
            refiner: NpEditTransformerTests.TinyEditor().Editor);
        var data = context.Data.LoadFromEnumerable(new[] { (200, 30, 30), (30, 200, 30) }.Select((c, i) => new PathRow
        {
            Path = SaveSource(i, c), Instruction = "make the circle blue",
        }));
        var chain = new TransformerChain<ITransformer>(context.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "Path").Fit(data), editor);
        string path = System.IO.Path.Combine(_dir, "refined.npedit");
        NpEditModelFile.Save(context, chain, data.Schema, path);
        using (var zip = ZipFile.OpenRead(path))
        {
            zip.Entries.Select(e => e.FullName).Should().Contain(new[] { "refiner/config.json", "refiner/model.safetensors" });
        }

        using var loaded = NpEditModelFile.Load(new MLContext(seed: 2), path);
        var reloaded = loaded.OfType<NpEditTransformer>().Single();
        reloaded.Refiner.Should().NotBeNull();
        reloaded.Options.RefineTime.Should().Be(0.2);
        EditedPixels(loaded, data).Should().BeEquivalentTo(EditedPixels(chain, data), o => o.WithStrictOrdering());
    }

    private string SaveSource(int i, (int R, int G, int B) c)
    {
        string path = System.IO.Path.Combine(_dir, $"refine-src{i}.png");
        ImageEncoding.SavePng(RgbImage.Filled(16, 16, (byte)c.R, (byte)c.G, (byte)c.B), path);
        return path;
    }

    private static List<byte[]> EditedPixels(ITransformer model, IDataView data)
    {
        var view = model.Transform(data);
        var result = new List<byte[]>();
        using var cursor = view.GetRowCursor(view.Schema);
        var edited = cursor.GetGetter<MLImage>(view.Schema["EditedImage"]);
        while (cursor.MoveNext())
        {
            MLImage image = null!;
            edited(ref image);
            result.Add(MLImageInterop.ToRgbImage(image).Pixels);
        }
        return result;
    }

    [Fact]
    public void MLContext_Model_Save_refuses_and_points_to_our_call()
    {
        var context = new MLContext();
        var (model, data) = Pipeline(context);
        var act = () => context.Model.Save(model, data.Schema, System.IO.Path.Combine(_dir, "mlnet.zip"));
        var thrown = act.Should().Throw<Exception>().Which;
        var messages = string.Join(" | ", Chain(thrown).Select(e => e.Message));
        messages.Should().Contain("NpEditModelFile.Save");
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException) yield return x;
    }

    [Fact]
    public void A_tampered_entry_is_refused()
    {
        var context = new MLContext();
        var (model, data) = Pipeline(context);
        string path = System.IO.Path.Combine(_dir, "model.npedit");
        NpEditModelFile.Save(context, model, data.Schema, path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("editor/model.safetensors")!;
            byte[] bytes;
            using (var s = entry.Open()) { using var m = new MemoryStream(); s.CopyTo(m); bytes = m.ToArray(); }
            bytes[^1] ^= 0x01;
            entry.Delete();
            using var w = zip.CreateEntry("editor/model.safetensors").Open();
            w.Write(bytes);
        }
        var act = () => NpEditModelFile.Load(context, path);
        act.Should().Throw<InvalidDataException>().WithMessage("*'editor/model.safetensors' does not match its SHA-256*");
    }

    [Fact]
    public void An_added_entry_and_a_truncated_file_are_refused()
    {
        var context = new MLContext();
        var (model, data) = Pipeline(context);
        string path = System.IO.Path.Combine(_dir, "model.npedit");
        NpEditModelFile.Save(context, model, data.Schema, path);
        var bytes = File.ReadAllBytes(path);

        string truncated = System.IO.Path.Combine(_dir, "truncated.npedit");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var act = () => NpEditModelFile.Load(context, truncated);
        act.Should().Throw<InvalidDataException>().WithMessage($"*{truncated}*truncated or corrupt*");

        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            using var w = zip.CreateEntry("editor/extra.bin").Open();
            w.WriteByte(1);
        }
        var act2 = () => NpEditModelFile.Load(context, path);
        act2.Should().Throw<InvalidDataException>().WithMessage("*'editor/extra.bin' is not in the manifest*");
    }

    [Fact]
    public void The_editor_alone_saves_and_loads()
    {
        var context = new MLContext();
        using var editor = NpEditTransformerTests.TinyEditor(new NpEditTransformerOptions { KeepSourceBelow = 0.25 });
        var schema = context.Data.LoadFromEnumerable(new[] { new { Image = new byte[] { 1 }, Instruction = "x" } }).Schema;
        string path = System.IO.Path.Combine(_dir, "editor.npedit");
        NpEditModelFile.Save(context, editor, schema, path);
        using var loaded = NpEditModelFile.LoadEditor(context, path);
        loaded.Options.Should().BeEquivalentTo(editor.Options);
        loaded.Options.KeepSourceBelow.Should().Be(0.25);
        var image = RgbImage.Filled(16, 16, 100, 50, 25);
        loaded.Edit(new[] { image }, new[] { "make the circle blue" }, 7)[0].Pixels
            .Should().Equal(editor.Edit(new[] { image }, new[] { "make the circle blue" }, 7)[0].Pixels);
    }

    [Fact]
    public void The_training_record_is_kept_under_the_manifest_and_a_changed_record_is_refused()
    {
        var context = new MLContext();
        using var editor = NpEditTransformerTests.TinyEditor();
        var schema = context.Data.LoadFromEnumerable(new[] { new { Image = new byte[] { 1 }, Instruction = "x" } }).Schema;
        var record = new TrainingRecord
        {
            Command = "npedit train --seed 3", Seed = 3, Steps = 2600, WallTimeSeconds = 1632.5, Machine = "2 cores, 1 threads",
            Settings = new() { ["warmup_instruction_probability"] = "0" },
        };
        string path = System.IO.Path.Combine(_dir, "recorded.npedit");
        NpEditModelFile.Save(context, editor, schema, path, record);
        NpEditModelFile.ReadTraining(path).Should().BeEquivalentTo(record);
        using (NpEditModelFile.LoadEditor(context, path)) { }

        string plain = System.IO.Path.Combine(_dir, "plain.npedit");
        NpEditModelFile.Save(context, editor, schema, plain);
        NpEditModelFile.ReadTraining(plain).Should().BeNull();

        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.GetEntry("training.json")!.Delete();
            using var w = zip.CreateEntry("training.json").Open();
            w.Write(System.Text.Encoding.UTF8.GetBytes("{\"command\": \"something else\"}"));
        }
        var act = () => NpEditModelFile.ReadTraining(path);
        act.Should().Throw<InvalidDataException>().WithMessage("*'training.json' does not match its SHA-256*");
    }
}
