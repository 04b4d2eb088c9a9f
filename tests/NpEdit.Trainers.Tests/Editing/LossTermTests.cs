using NpEdit.Trainers.Losses;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Editing;

public sealed class LossTermTests
{
    public LossTermTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Dmd_gradient_is_fake_minus_real_over_the_per_sample_mean_distance()
    {
        // Two samples of one element each are too degenerate; use [2,1,1,2].
        using var x0 = torch.tensor(new[] { 1f, 3f, 0f, 0f }).view(2, 1, 1, 2);
        using var real = torch.tensor(new[] { 0f, 1f, 2f, 2f }).view(2, 1, 1, 2);
        using var fake = torch.tensor(new[] { 2f, 2f, 1f, 4f }).view(2, 1, 1, 2);
        using var g = DistributionMatchingLoss.Gradient(x0, real, fake);
        // Sample 0: mean|x0 - real| = (1 + 2) / 2 = 1.5 -> g = (2, 1) / 1.5. Sample 1: mean = 2 -> g = (-1, 2) / 2.
        g.flatten().data<float>().ToArray().Should().BeEquivalentTo(new[] { 2f / 1.5f, 1f / 1.5f, -0.5f, 1f }, o => o.WithStrictOrdering().Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-6f)).WhenTypeIs<float>());
    }

    [Fact]
    public void Dmd_surrogate_has_the_gradient_g_and_a_descent_step_moves_toward_the_teacher()
    {
        using var x0 = torch.tensor(new[] { 1f, 3f, 0f, 0f }).view(2, 1, 1, 2).requires_grad_(true);
        using var real = torch.tensor(new[] { 0f, 1f, 2f, 2f }).view(2, 1, 1, 2);
        using var fake = torch.tensor(new[] { 2f, 3f, 0f, 1f }).view(2, 1, 1, 2);
        using var g = DistributionMatchingLoss.Gradient(x0.detach(), real, fake);
        using var result = DistributionMatchingLoss.FromGradient(x0, g);
        result.Loss.item<float>().Should().BeApproximately(0.5f * g.Pow(2).mean().item<float>(), 1e-6f);
        result.Loss.backward();
        x0.grad!.allclose(g.Div(4)).Should().BeTrue("mse's mean over 4 elements scales g by 1/4");
        using var moved = x0.detach().sub(x0.grad!.Mul(0.5));
        moved.sub(real).abs().sum().item<float>().Should().BeLessThan(x0.detach().sub(real).abs().sum().item<float>());
    }

    [Fact]
    public void Dmd_over_repeated_outputs_gives_each_output_the_mean_of_its_samples_gradients()
    {
        // DmdSamples = 2: the output is repeated, each copy gets its own gradient, the surrogate averages over all rows.
        using var x0 = torch.tensor(new[] { 1f, 3f, 0f, 0f }).view(2, 1, 1, 2).requires_grad_(true);
        using var g = torch.tensor(new[] { 1f, 2f, 3f, 4f, -1f, 0f, 5f, 8f }).view(4, 1, 1, 2);
        using var result = DistributionMatchingLoss.FromGradient(x0.repeat(2, 1, 1, 1), g);
        result.Loss.backward();
        // Row i of x0 appears as rows i and i + 2; its gradient is (g_i + g_{i+2}) / 8 = mean of the two / 4, exactly
        // what one sample with the mean gradient gives.
        using var expected = g.narrow(0, 0, 2).Add(g.narrow(0, 2, 2)).Div(2).Div(4);
        x0.grad!.allclose(expected).Should().BeTrue();
    }

    [Fact]
    public void Dmd_gradient_pooling_averages_blocks_and_refuses_a_factor_that_does_not_divide()
    {
        using var g = TensorMath.Arange(0, 16, 1, ScalarType.Float32).view(1, 1, 4, 4);
        using var pooled = DistributionMatchingLoss.BlockAverage(g, 2);
        // Block (0,0) holds 0, 1, 4, 5 -> 2.5; block (0,1) 2, 3, 6, 7 -> 4.5; block (1,0) 8, 9, 12, 13 -> 10.5.
        pooled.flatten().data<float>().ToArray().Should().Equal(2.5f, 2.5f, 4.5f, 4.5f, 2.5f, 2.5f, 4.5f, 4.5f, 10.5f, 10.5f, 12.5f, 12.5f, 10.5f, 10.5f, 12.5f, 12.5f);
        DistributionMatchingLoss.BlockAverage(g, 1).Should().BeSameAs(g);
        var act = () => DistributionMatchingLoss.BlockAverage(g, 3);
        act.Should().Throw<ArgumentException>().WithMessage("*3*4x4*");
    }

    [Fact]
    public void Yes_no_loss_is_the_softplus_of_the_negative_scaled_margin()
    {
        using var yes = torch.tensor(new[] { 2f, 2f });
        using var no = torch.tensor(new[] { 0f, 0f });
        using var full = torch.zeros(2, 5);
        using var expect = torch.tensor(new[] { true, false });
        using var loss = VlmFeedbackLoss.Compute(yes, no, full, expect, 0.5, VlmLossKind.YesNoBinary, 3, 4);
        // Margins: +1 (expect Yes) and -1 (expect No) after τ = 0.5.
        double expected = (Math.Log(1 + Math.Exp(-1)) + Math.Log(1 + Math.Exp(1))) / 2;
        loss.item<float>().Should().BeApproximately((float)expected, 1e-5f);
    }

    [Fact]
    public void Full_vocabulary_loss_is_cross_entropy_of_the_answer_token()
    {
        using var full = torch.tensor(new[] { 0f, 0f, 0f, 2f, 1f }).view(1, 5);
        using var loss = VlmFeedbackLoss.Compute(full[.., 3], full[.., 4], full, torch.tensor(new[] { false }), 1.0, VlmLossKind.FullVocabulary, 3, 4);
        double logZ = Math.Log(3 + Math.Exp(2) + Math.Exp(1));
        loss.item<float>().Should().BeApproximately((float)(logZ - 1), 1e-5f);
    }

    [Fact]
    public void Temperature_ramps_linearly_then_holds()
    {
        var ramp = new TemperatureRamp(0.1, 1.0, 100);
        ramp.At(0).Should().BeApproximately(0.1, 1e-12);
        ramp.At(50).Should().BeApproximately(0.55, 1e-12);
        ramp.At(100).Should().Be(1.0);
        ramp.At(1000).Should().Be(1.0);
    }
}
