using Microsoft.ML;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

[Collection(DeterminismCollection.Name)]
public sealed class ComparisonProbeTests
{
    private static SceneObject Object(ShapeKind shape, PaletteColor color, int row, int col, SizeKind size = SizeKind.Large) =>
        new(shape, color, size, Row: row, Col: col, JitterX: 0, JitterY: 0);

    [Fact]
    public void Labels_mark_changed_cells_added_and_removed_shapes_and_a_changed_background()
    {
        // First: red circle at cell 0, blue star at cell 5. Second: the circle turned green, the star moved to cell 8,
        // a square appeared at cell 4, the background went from gray to navy.
        var first = Scene.Create(Palette.Gray, [Object(ShapeKind.Circle, Palette.Red, 0, 0), Object(ShapeKind.Star, Palette.Blue, 1, 2)]);
        var second = Scene.Create(Palette.Navy, [Object(ShapeKind.Circle, Palette.Green, 0, 0), Object(ShapeKind.Star, Palette.Blue, 2, 2), Object(ShapeKind.Square, Palette.Red, 1, 1)]);
        var labels = ComparisonProbe.Labels(first, second);
        float[] Cell(int c) => labels.Skip(c * ComparisonProbe.LabelsPerCell).Take(ComparisonProbe.LabelsPerCell).ToArray();
        Cell(0).Should().Equal(1, 0, 0, 1); // same shape, new colour
        Cell(4).Should().Equal(1, 1, 0, 1); // the square is new to the scene
        Cell(5).Should().Equal(1, 0, 0, 1); // the star left the cell but not the scene
        Cell(8).Should().Equal(1, 0, 0, 1);
        Cell(1).Should().Equal(0, 0, 0, 1);

        var removed = Scene.Create(Palette.Gray, [Object(ShapeKind.Circle, Palette.Red, 0, 0)]);
        var removal = ComparisonProbe.Labels(first, removed);
        removal.Skip(5 * ComparisonProbe.LabelsPerCell).Take(ComparisonProbe.LabelsPerCell).Should().Equal(1, 0, 1, 0);
        ComparisonProbe.Labels(first, first).Should().OnlyContain(v => v == 0, "a scene compared with itself differs nowhere");
    }

    [Fact]
    public void The_tapped_score_equals_the_plain_score_and_the_tap_is_the_stream_after_the_given_layers()
    {
        using var model = TestVlms.ModelForTokenizer();
        var scorer = new YesNoScorer(model, TestVlms.Tokenizer);
        using var scope = NewDisposeScope();
        var a = TestVlms.RandomImage(1);
        var b = TestVlms.RandomImage(2);
        var queries = new[] { new JudgeQuery("Is there a red circle?", a), new JudgeQuery("Are the two images the same?", a, b) };
        using var plain = scorer.Score(queries);
        var (tapped, stream, ids) = scorer.ScoreTapped(queries, tapAfterLayers: 1);
        using var _ = tapped;
        tapped.Full.allclose(plain.Full, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
        stream.shape.Should().Equal(2, ids.shape[1], model.Config.TextConfig.HiddenSize);
        ids.Eq(model.Config.ImageTokenIndex).sum().item<long>().Should().Be(3 * model.Config.TokensPerImage);
        var (_, zero, _) = scorer.ScoreTapped(queries, tapAfterLayers: 0);
        zero.allclose(stream).Should().BeFalse("one decoder block changes the stream");
    }


    [Fact]
    public void The_comparison_probe_needs_scene_token_steps()
    {
        var context = new MLContext(seed: 0);
        var o = JudgeSceneTokenTests.Options();
        o.SceneTokenSteps = 0;
        o.AlignmentSteps = 0;
        o.ComparisonProbeWeight = 1.0;
        var fit = () => new JudgeTrainer(context, o).Fit(JudgeSceneTokenTests.Rows(context));
        fit.Should().Throw<ArgumentException>().WithMessage("*ComparisonProbeWeight needs SceneTokenSteps*");
    }
}
