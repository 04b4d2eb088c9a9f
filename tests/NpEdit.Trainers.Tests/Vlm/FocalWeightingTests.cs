using NpEdit.Trainers.Vlm;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class FocalWeightingTests
{
    // Three questions: answered right with margin 3, right with margin 1, wrong with margin 4 (P(true) = sigmoid(-4)).
    private static (YesNoLogits Logits, Tensor Answers) Questions()
    {
        var yes = torch.tensor(new[] { 3f, 0.5f, 2f });
        var no = torch.tensor(new[] { 0f, -0.5f, -2f });
        var answers = torch.tensor(new[] { true, true, false });
        return (new YesNoLogits(yes, no, torch.zeros(3, 5)), answers);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void Gamma_zero_is_the_plain_mean()
    {
        using var scope = NewDisposeScope();
        var (logits, answers) = Questions();
        var losses = torch.tensor(new[] { 0.2f, 0.7f, 4f });
        FocalWeighting.Mean(losses, logits, answers, 0).item<float>().Should().Be(losses.mean().item<float>());
    }

    [Fact]
    public void Each_loss_is_weighted_by_the_chance_of_the_wrong_answer_to_the_power_gamma()
    {
        using var scope = NewDisposeScope();
        var (logits, answers) = Questions();
        var losses = torch.tensor(new[] { 0.2f, 0.7f, 4f });
        double[] wrong = [Sigmoid(-3), Sigmoid(-1), Sigmoid(4)];
        double expected = (0.2 * Math.Pow(wrong[0], 2) + 0.7 * Math.Pow(wrong[1], 2) + 4 * Math.Pow(wrong[2], 2)) / 3;
        FocalWeighting.Mean(losses, logits, answers, 2).item<float>().Should().BeApproximately((float)expected, 1e-6f);
    }

    [Fact]
    public void A_confidently_wrong_question_outweighs_many_right_ones_and_the_weights_carry_no_gradient()
    {
        using var scope = NewDisposeScope();
        // 30 questions answered right with margin 3 and one answered wrong with margin 3: same per-question loss scale.
        var margins = torch.tensor(Enumerable.Repeat(3f, 30).Append(-3f).ToArray()).requires_grad_(true);
        var logits = new YesNoLogits(margins, torch.zeros(31), torch.zeros(31, 5));
        var answers = torch.ones(31, dtype: ScalarType.Bool);
        var perQuestion = nn.functional.binary_cross_entropy_with_logits(margins, answers.to(ScalarType.Float32), reduction: nn.Reduction.None);

        var plain = FocalWeighting.Mean(perQuestion, logits, answers, 0);
        var plainGrad = torch.autograd.grad([plain], [margins], retain_graph: true)[0];
        var focal = FocalWeighting.Mean(perQuestion, logits, answers, 2);
        var focalGrad = torch.autograd.grad([focal], [margins])[0];

        double Share(Tensor g) => g[30].abs().item<float>() / g.abs().sum().item<float>();
        Share(plainGrad).Should().BeLessThan(0.5, "with the plain mean the 30 right answers pull together about as hard as the wrong one");
        Share(focalGrad).Should().BeGreaterThan(0.99, "focal weights leave the confidently wrong question almost all of the gradient");
        // Without gradient through the weights, each question's gradient is its weight times its plain gradient.
        double weight = Math.Pow(Sigmoid(3), 2);
        focalGrad[30].item<float>().Should().BeApproximately((float)(plainGrad[30].item<float>() * weight), 1e-6f);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_bad_gamma_is_refused_by_the_weighting_and_the_trainer(double gamma)
    {
        using var scope = NewDisposeScope();
        var (logits, answers) = Questions();
        var weighting = () => FocalWeighting.Mean(torch.ones(3), logits, answers, gamma);
        weighting.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*gamma*");
        var options = JudgeSceneTokenTests.Options();
        options.FocalGamma = gamma;
        var trainer = () => new JudgeTrainer(new Microsoft.ML.MLContext(0), options);
        trainer.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*FocalGamma*");
    }
}
