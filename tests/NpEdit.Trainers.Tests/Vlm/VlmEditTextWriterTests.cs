using NpEdit.Transforms;
using NpEdit.Transforms.Imaging;
using NpEdit.Trainers.Vlm;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class VlmEditTextWriterTests
{
    [Fact]
    public void The_saved_files_restore_a_writer_that_writes_the_same_captions()
    {
        var model = TestVlms.ModelForTokenizer(seed: 6);
        using var writer = new VlmEditTextWriter(model, TestVlms.Tokenizer);
        var files = writer.SaveFiles();
        files.Keys.Should().Contain("manifest.json").And.Contain(k => k.EndsWith(".safetensors", StringComparison.Ordinal));

        using var restored = EditTextWriters.Load(VlmEditTextWriter.WriterKind, files, "test.npedit");
        var images = new[] { RgbImage.Filled(8, 8, 20, 40, 230), RgbImage.Filled(8, 8, 230, 30, 20) };
        var instructions = new[] { "make the square red", "keep the square" };
        restored.Write(images, instructions).Should().Equal(writer.Write(images, instructions));
    }

    [Fact]
    public void A_writer_that_checks_its_captions_saves_the_check_and_loads_back_checking_them()
    {
        using var writer = new VlmEditTextWriter(TestVlms.ModelForTokenizer(seed: 6), TestVlms.Tokenizer, verification: CaptionVerification.ShapesWorld);
        writer.Writer.Verifier.Should().NotBeNull();
        var files = writer.SaveFiles();
        files.Keys.Should().Contain(CaptionVerification.FileName);
        using var restored = (VlmEditTextWriter)EditTextWriters.Load(VlmEditTextWriter.WriterKind, files, "test.npedit");
        restored.Verification.Should().Be(CaptionVerification.ShapesWorld);
        restored.Writer.Verifier.Should().NotBeNull();

        using var unchecked_ = new VlmEditTextWriter(TestVlms.ModelForTokenizer(seed: 6), TestVlms.Tokenizer);
        unchecked_.SaveFiles().Keys.Should().NotContain(CaptionVerification.FileName, "a writer without the check saves the files it always did");
    }

    [Fact]
    public void The_model_file_finds_the_writer_by_the_type_name_it_knows()
    {
        Type.GetType(EditTextWriters.LoaderTypeOf(VlmEditTextWriter.WriterKind)!).Should().Be(typeof(VlmEditTextWriter),
            "a model file loaded before anything touched NpEdit.Trainers finds the writer's loader through this name");
    }

    [Fact]
    public void Damaged_writer_files_are_refused_with_the_model_file_named()
    {
        using var writer = new VlmEditTextWriter(TestVlms.ModelForTokenizer(seed: 6), TestVlms.Tokenizer);
        var files = writer.SaveFiles().ToDictionary(f => f.Key, f => f.Value);
        var weights = files.Keys.Single(k => k.EndsWith(".safetensors", StringComparison.Ordinal));
        files[weights] = files[weights].Take(files[weights].Length / 2).ToArray();
        var load = () => EditTextWriters.Load(VlmEditTextWriter.WriterKind, files, "damaged.npedit");
        load.Should().Throw<InvalidDataException>().WithMessage("*damaged.npedit*");
    }
}
