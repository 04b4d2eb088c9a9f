using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Runtime;
using NpEdit.Transforms.Sampling;
using NpEdit.Transforms.Tests.Editing;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Tests.Sampling;

public sealed class PriorRefinementTests
{
    public PriorRefinementTests() => TorchRuntime.EnsureInitialized();

    private static Tensor Images(int count)
    {
        torch.manual_seed(11);
        return torch.rand(count, 3, 16, 16).Mul(2.0).Add(-1.0);
    }

    [Fact]
    public void It_is_one_denoising_step_from_the_row_noise_at_the_given_time()
    {
        using var prior = NpEditTransformerTests.TinyEditor().Editor;
        using var images = Images(2);
        var texts = new[] { "make the circle blue", "do nothing." };
        var seeds = new long[] { 5, 9 };
        using var refined = PriorRefinement.Refine(prior, images, texts, seeds, 0.3);

        using var noise = RowNoise.Draw(seeds, new long[] { 3, 16, 16 }, PriorRefinement.NoiseStream);
        using var latent = prior.Codec.Encode(images);
        using var noisy = latent.Mul(0.7).Add(noise.Mul(0.3));
        using var t = TensorMath.Full(new long[] { 2 }, 0.3, ScalarType.Float32, prior.Device);
        using var _ = no_grad();
        using var expected = prior.Codec.Decode(noisy.sub(prior.Velocity(noisy, t, prior.EncodeText(texts)).Mul(0.3)));
        refined.allclose(expected, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
    }

    [Fact]
    public void A_row_is_refined_the_same_in_any_batch_and_a_small_time_keeps_the_image()
    {
        using var prior = NpEditTransformerTests.TinyEditor().Editor;
        using var images = Images(3);
        var texts = new[] { "make the circle blue", "remove the square", "do nothing." };
        using var all = PriorRefinement.Refine(prior, images, texts, new long[] { 1, 2, 3 }, 0.2);
        using var alone = PriorRefinement.Refine(prior, images.narrow(0, 1, 1), new[] { texts[1] }, new long[] { 2 }, 0.2);
        alone[0].allclose(all[1], rtol: 1e-5, atol: 1e-6).Should().BeTrue("a row's noise comes from its own seed");

        using var barely = PriorRefinement.Refine(prior, images, texts, new long[] { 1, 2, 3 }, 1e-3);
        barely.sub(images).abs().max().item<float>().Should().BeLessThan(0.05f, "at t near 0 there is nothing to denoise");
        all.sub(images).abs().mean().item<float>().Should().BeGreaterThan(1e-3f, "at t = 0.2 the prior changes the image");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    public void The_time_must_lie_strictly_between_0_and_1(double time)
    {
        using var prior = NpEditTransformerTests.TinyEditor().Editor;
        using var images = Images(1);
        var refine = () => PriorRefinement.Refine(prior, images, new[] { "do nothing." }, new long[] { 1 }, time);
        refine.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*(0, 1)*");
    }
}
