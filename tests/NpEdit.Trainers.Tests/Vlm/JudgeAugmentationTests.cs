using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class JudgeAugmentationTests
{
    public JudgeAugmentationTests() => TorchRuntime.EnsureInitialized();

    private static Tensor Images() => torch.stack(Enumerable.Range(0, 6).Select(i => TestVlms.RandomImage(i, size: 16)).ToArray());

    [Fact]
    public void The_same_generators_give_the_same_perturbation()
    {
        using var scope = NewDisposeScope();
        var images = Images();
        using var g1 = new Generator(9);
        using var g2 = new Generator(9);
        var a = new JudgeAugmentation().Apply(images, new Random(4), g1);
        var b = new JudgeAugmentation().Apply(images, new Random(4), g2);
        a.eq(b).all().item<bool>().Should().BeTrue();
        a.eq(images).all().item<bool>().Should().BeFalse();
    }

    [Fact]
    public void Perturbed_images_stay_in_range_and_close_to_the_original()
    {
        using var scope = NewDisposeScope();
        var flat = TensorMath.Full(new long[] { 6, 3, 16, 16 }, 0.2);
        using var generator = new Generator(1);
        var result = new JudgeAugmentation { Probability = 1 }.Apply(flat, new Random(2), generator);
        result.shape.Should().Equal(flat.shape);
        result.abs().max().item<float>().Should().BeLessThanOrEqualTo(1f);
        // A flat image has no edges, so shift and blur change nothing: what is left is jitter plus noise.
        result.sub(flat).abs().mean().item<float>().Should().BeLessThan(0.2f);
    }

    [Fact]
    public void None_returns_the_images_unchanged()
    {
        using var scope = NewDisposeScope();
        var images = Images();
        using var generator = new Generator(1);
        JudgeAugmentation.None.Apply(images, new Random(1), generator).eq(images).all().item<bool>().Should().BeTrue();
    }
}
