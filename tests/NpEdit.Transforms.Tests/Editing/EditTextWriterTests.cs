using System.Text;
using Microsoft.ML;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Transforms.Tests.Editing;

public sealed class EditTextWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("npedit-writer-").FullName;

    public EditTextWriterTests()
    {
        TorchRuntime.EnsureInitialized();
        EditTextWriters.Register(ColourWriter.WriterKind, (files, _, _) => new ColourWriter(Encoding.UTF8.GetString(files["phrase.txt"])));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A writer whose text depends on the image and the instruction, with one saved setting.</summary>
    private sealed class ColourWriter(string phrase) : IEditTextWriter
    {
        public const string WriterKind = "test-colour";
        public string Phrase { get; } = phrase;
        public List<(int Count, string First)> Calls { get; } = new();
        public string Kind => WriterKind;

        public IReadOnlyList<string> Write(IReadOnlyList<RgbImage> sources, IReadOnlyList<string> instructions)
        {
            Calls.Add((sources.Count, instructions[0]));
            return sources.Select((s, i) => s.Pixels[0] > 100 ? $"{instructions[i]} {Phrase}" : "do nothing.").ToList();
        }

        public IReadOnlyDictionary<string, byte[]> SaveFiles() => new Dictionary<string, byte[]> { ["phrase.txt"] = Encoding.UTF8.GetBytes(Phrase) };
        public void Dispose() { }
    }

    private static NpEditTransformer EditorWith(IEditTextWriter? writer)
    {
        var plain = NpEditTransformerTests.TinyEditor(new NpEditTransformerOptions { BatchSize = 2, Seed = 3 });
        return new NpEditTransformer(plain.Editor, plain.Options, writer);
    }

    private static readonly RgbImage[] Sources = { RgbImage.Filled(16, 16, 200, 30, 30), RgbImage.Filled(16, 16, 30, 30, 200) };
    private static readonly string[] Instructions = { "make the circle blue", "remove the square" };

    [Fact]
    public void The_editor_reads_the_written_text_instead_of_the_instruction()
    {
        var writer = new ColourWriter("remove the square");
        var editor = EditorWith(writer);
        var seeds = new long[] { 3, 4 };
        var viaWriter = editor.EditBatch(Sources, Instructions, seeds, editor.Options.Sampler);
        var written = new[] { "make the circle blue remove the square", "do nothing." };
        var direct = editor.EditBatchReading(Sources, written, seeds, editor.Options.Sampler);
        for (int i = 0; i < 2; i++) viaWriter[i].Pixels.Should().Equal(direct[i].Pixels);
        writer.Calls.Should().ContainSingle().Which.Should().Be((2, "make the circle blue"));
        var instructionsRead = EditorWith(null).EditBatch(Sources, Instructions, seeds, editor.Options.Sampler);
        instructionsRead[1].Pixels.Should().NotEqual(viaWriter[1].Pixels, "without a writer the second row reads its own instruction");
    }

    [Fact]
    public void The_writer_is_saved_in_the_model_file_and_restored_by_its_loader()
    {
        var context = new MLContext(seed: 1);
        var editor = EditorWith(new ColourWriter("and more"));
        var data = context.Data.LoadFromEnumerable(new[] { new { Image = ImageEncoding.EncodePng(Sources[0]), Instruction = "x" } });
        string path = Path.Combine(_dir, "model.npedit");
        NpEditModelFile.Save(context, editor, data.Schema, path);

        using var loaded = NpEditModelFile.LoadEditor(context, path);
        loaded.TextWriter.Should().BeOfType<ColourWriter>().Which.Phrase.Should().Be("and more");
        var seeds = new long[] { 7, 8 };
        var before = editor.EditBatch(Sources, Instructions, seeds, editor.Options.Sampler);
        var after = loaded.EditBatch(Sources, Instructions, seeds, loaded.Options.Sampler);
        for (int i = 0; i < 2; i++) after[i].Pixels.Should().Equal(before[i].Pixels, $"row {i} is identical after save and load");
    }

    [Fact]
    public void A_file_whose_writer_has_no_loader_here_is_refused_with_its_kind_named()
    {
        var context = new MLContext(seed: 1);
        var editor = EditorWith(new UnknownWriter());
        var data = context.Data.LoadFromEnumerable(new[] { new { Image = ImageEncoding.EncodePng(Sources[0]), Instruction = "x" } });
        string path = Path.Combine(_dir, "unknown.npedit");
        NpEditModelFile.Save(context, editor, data.Schema, path);
        var load = () => NpEditModelFile.Load(context, path);
        load.Should().Throw<InvalidDataException>().WithMessage($"*{path}*'test-unknown'*");
    }

    private sealed class UnknownWriter : IEditTextWriter
    {
        public string Kind => "test-unknown";
        public IReadOnlyList<string> Write(IReadOnlyList<RgbImage> sources, IReadOnlyList<string> instructions) => instructions;
        public IReadOnlyDictionary<string, byte[]> SaveFiles() => new Dictionary<string, byte[]>();
        public void Dispose() { }
    }
}
