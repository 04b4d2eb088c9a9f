using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class JudgeGradientCheckTests
{
    public JudgeGradientCheckTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Descending_the_shipped_judges_loss_moves_the_pixels_and_reports_every_step()
    {
        using var judge = JudgeTransformer.Load(ShippedModels.JudgeFolder);
        var result = JudgeGradientCheck.Run(judge, count: 4, seed: 1, steps: 3, learningRate: 5);
        result.MeanProbability.Should().HaveCount(4, "the start and each of the 3 steps");
        result.StartProbabilities.Should().HaveCount(4).And.OnlyContain(p => p > 0 && p < 1);
        result.MeanAbsolutePixelChange.Should().BeGreaterThan(0);
        result.OracleEditSuccess.Should().BeInRange(0, 1);
    }

    [Fact]
    public void A_purifier_changes_the_gradient_but_not_where_the_probability_is_measured()
    {
        using var judge = JudgeTransformer.Load(ShippedModels.JudgeFolder);
        using var prior = FlowModelStore.Load(ShippedModels.PriorFolder).Freeze();
        using var purifier = new DiffusionPurifier(prior, 0.5);
        var plain = JudgeGradientCheck.Run(judge, count: 4, seed: 1, steps: 2, learningRate: 5);
        var purified = JudgeGradientCheck.Run(judge, count: 4, seed: 1, steps: 2, learningRate: 5, purifier: purifier);
        purified.StartProbabilities.Should().Equal(plain.StartProbabilities, "step 0 scores the same unchanged sources");
        purified.MeanAbsolutePixelChange.Should().NotBe(plain.MeanAbsolutePixelChange, "the steps follow another gradient");
    }
}
