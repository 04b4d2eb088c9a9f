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
    public void A_normalized_step_moves_every_image_the_same_distance_whatever_its_gradient()
    {
        using var judge = JudgeTransformer.Load(ShippedModels.JudgeFolder);
        var plain = JudgeGradientCheck.Run(judge, count: 4, seed: 1, steps: 1, learningRate: 5);
        plain.StartGradientRms.Should().BeGreaterThan(0);
        var one = JudgeGradientCheck.Run(judge, count: 4, seed: 1, steps: 1, learningRate: 0.01, normalizedStep: true);
        // Clamping to [-1, 1] can only shorten a step, on pixels already at the edge.
        one.RmsPixelChange.Should().OnlyContain(d => d <= 0.01 * 1.0001 && d > 0.005);
        one.StartProbabilities.Should().Equal(plain.StartProbabilities);
        var three = JudgeGradientCheck.Run(judge, count: 4, seed: 1, steps: 3, learningRate: 0.01, normalizedStep: true);
        three.RmsPixelChange.Should().OnlyContain(d => d <= 0.03 * 1.0001 && d > one.RmsPixelChange.Min());
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
