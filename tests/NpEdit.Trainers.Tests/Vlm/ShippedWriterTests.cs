using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.IO;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class ShippedWriterTests
{
    [Fact]
    public void The_shipped_writer_loads_strictly_and_writes_the_edited_caption_of_most_held_out_edits()
    {
        string folder = ShapesWriter.ResolveFolder();
        var manifest = JudgeStore.ReadManifest(folder);
        manifest.WeightsSha256.Should().Be(Sha256.OfFile(Path.Combine(folder, manifest.WeightsFile)));
        manifest.Training!.Command.Should().Contain("--caption-rows CanonicalEdits");

        var (model, tokenizer, system) = JudgeStore.Load(folder, TorchSharp.torch.CPU);
        using var disposeModel = model;
        var result = EditedCaptionEvaluation.Run(new EditedCaptionWriter(model, tokenizer, system), count: 40, seed: 5);
        // Measured on 200 rows: see docs/editor.md. 40 rows keep the test to seconds; the bound leaves room for their noise.
        result.Accuracy.Should().BeGreaterThan(0.5, "the shipped writer reads the image and the instruction");
    }
}
