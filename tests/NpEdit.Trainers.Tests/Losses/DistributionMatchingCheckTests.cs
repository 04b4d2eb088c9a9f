using NpEdit.Trainers.Losses;
using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Losses;

public sealed class DistributionMatchingCheckTests
{
    private static FlowModel Prior()
    {
        TorchRuntime.EnsureInitialized();
        var corpus = Enumerable.Range(0, 50).SelectMany(i =>
        {
            var e = WorldRows.Edit(1, i, WorldSplit.Eval, new[] { EditType.Color });
            return new[] { e.SourceCaption, e.EditedCaption };
        });
        // A random output layer, so the teacher's two branches differ and DMD has a gradient.
        return TestPriors.WithRandomOutputLayers(corpus, SceneRenderer.DefaultSize, seed: 4).Freeze();
    }

    [Fact]
    public void With_no_steps_the_oracle_sees_the_unedited_sources()
    {
        using var prior = Prior();
        var r = DistributionMatchingCheck.Run(prior, count: 4, seed: 1, EditType.Color, steps: 0);
        r.MeanAbsolutePixelChange.Should().Be(0);
        r.OraclePreserved.Should().Be(1.0, "a clean render parses back to its scene");
        r.OracleEditSuccess.Should().Be(0.0, "a colour edit's target colour is never the source's");
        r.Count.Should().Be(4);
    }

    [Fact]
    public void Steps_move_the_pixels_the_same_way_for_the_same_seed()
    {
        using var prior = Prior();
        var a = DistributionMatchingCheck.Run(prior, count: 3, seed: 2, EditType.Color, steps: 2, learningRate: 0.2);
        var b = DistributionMatchingCheck.Run(prior, count: 3, seed: 2, EditType.Color, steps: 2, learningRate: 0.2);
        a.MeanAbsolutePixelChange.Should().BeGreaterThan(0);
        b.MeanAbsolutePixelChange.Should().Be(a.MeanAbsolutePixelChange);
        (b.OracleEditSuccess, b.OraclePreserved, b.OracleExact).Should().Be((a.OracleEditSuccess, a.OraclePreserved, a.OracleExact));
        a.Rows.Should().HaveCount(3);
        a.Rows.Select(r => r.Score.EditSuccess).Count(s => s).Should().Be((int)Math.Round(a.OracleEditSuccess * 3));
    }

    [Fact]
    public void A_fake_score_equal_to_the_unguided_teacher_gives_no_gradient()
    {
        using var prior = Prior();
        // Guidance 1 and the edited caption for the stand-in: the real and fake predictions are the same forward.
        var r = DistributionMatchingCheck.Run(prior, count: 3, seed: 3, EditType.Color, steps: 2, learningRate: 0.5,
            guidanceScale: 1.0, fake: FakeScoreStandIn.EditedCaption);
        r.MeanAbsolutePixelChange.Should().Be(0);
    }

    [Fact]
    public void Bad_arguments_are_refused_with_their_names()
    {
        using var prior = Prior();
        var noRows = () => DistributionMatchingCheck.Run(prior, count: 0, seed: 1, EditType.Color);
        noRows.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("count");
        var times = () => DistributionMatchingCheck.Run(prior, count: 1, seed: 1, EditType.Color, timeMin: 0.6, timeMax: 0.5);
        times.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*time min < time max*");
    }
}
