using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class DiffusionPurifierTests
{
    public DiffusionPurifierTests() => TorchRuntime.EnsureInitialized();

    // A random output layer, so the velocity is not zero and the Jacobian is not the identity.
    private static FlowModel FrozenPrior() => TestPriors.WithRandomOutputLayers(new[] { "a red circle." }, imageSize: 8, seed: 3).Freeze();

    [Fact]
    public void The_output_is_the_one_step_denoise_of_the_renoised_image_with_the_empty_prompt()
    {
        using var prior = FrozenPrior();
        using var purifier = new DiffusionPurifier(prior, 0.4);
        using var scope = NewDisposeScope();
        var images = torch.rand(2, 3, 8, 8, generator: new Generator(1)).Mul(2).Sub(1);
        var purified = purifier.Apply(images, new Generator(7));

        var latent = prior.Codec.Encode(images);
        var noise = torch.randn(latent.shape, generator: new Generator(7));
        var noisy = latent.Mul(0.6).Add(noise.Mul(0.4));
        var empty = prior.EncodeText(new[] { string.Empty, string.Empty });
        var v = prior.Velocity(noisy, TensorMath.Full(new long[] { 2 }, 0.4), empty);
        var expected = prior.Codec.Decode(noisy.sub(v.Mul(0.4)));

        purified.shape.Should().Equal(images.shape);
        purified.allclose(expected, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
        purified.sub(images).abs().max().item<float>().Should().BeGreaterThan(0.01f, "the image was changed by noise and denoiser");
    }

    [Fact]
    public void Gradients_reach_the_pixels_and_never_the_prior()
    {
        using var prior = FrozenPrior();
        using var purifier = new DiffusionPurifier(prior, 0.5);
        using var scope = NewDisposeScope();
        var pixels = torch.rand(2, 3, 8, 8).requires_grad_(true);
        purifier.Apply(pixels).Pow(2).sum().backward();
        pixels.grad.Should().NotBeNull();
        pixels.grad!.isfinite().all().item<bool>().Should().BeTrue();
        pixels.grad!.abs().sum().item<float>().Should().BeGreaterThan(0f);
        prior.parameters().All(p => p.grad is null).Should().BeTrue("the prior is frozen");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.2)]
    public void A_time_outside_the_open_unit_interval_is_refused(double time)
    {
        using var prior = FrozenPrior();
        var act = () => new DiffusionPurifier(prior, time);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("time");
    }

    [Fact]
    public void A_prior_that_is_not_frozen_is_refused()
    {
        torch.manual_seed(3);
        using var prior = new FlowModel(FlowModelPresets.Tiny(TextTokenizer.BuildVocabulary(new[] { "a red circle." }), 8));
        var act = () => new DiffusionPurifier(prior, 0.5);
        act.Should().Throw<ArgumentException>().WithMessage("*frozen*");
    }
}
