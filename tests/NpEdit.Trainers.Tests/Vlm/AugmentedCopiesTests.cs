using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class AugmentedCopiesTests
{
    public AugmentedCopiesTests() => TorchRuntime.EnsureInitialized();

    private static Tensor Copies(Tensor images, int copies, int seed)
    {
        using var generator = new Generator((ulong)seed);
        return AugmentedCopies.Make(images, copies, AugmentedCopies.Default, new Random(seed), generator);
    }

    [Fact]
    public void Copies_are_stacked_copy_major_stay_in_range_and_differ_from_each_other()
    {
        // Flat images: a one-pixel shift leaves them as they are, so only the colour jitter, blur and noise move them.
        var x = torch.cat(new[] { TensorMath.Full(new long[] { 1, 3, 8, 8 }, -0.5), TensorMath.Full(new long[] { 1, 3, 8, 8 }, 0.5) }, 0);
        var y = Copies(x, 3, 1);
        y.shape.Should().Equal(6, 3, 8, 8);
        y.min().item<float>().Should().BeGreaterThanOrEqualTo(-1f);
        y.max().item<float>().Should().BeLessThanOrEqualTo(1f);
        y[0].sub(y[2]).abs().max().item<float>().Should().BeGreaterThan(0f, "two copies of image 0 get different perturbations");
        y[0].sub(x[0]).abs().mean().item<float>().Should().BeLessThan(0.25f, "a copy stays close to its image");
        y[0].sub(x[1]).abs().mean().item<float>().Should().BeGreaterThan(y[0].sub(x[0]).abs().mean().item<float>(), "row k*N+i is a copy of image i");
    }

    [Fact]
    public void The_gradient_reaches_every_original_through_every_copy()
    {
        var x = torch.rand(2, 3, 8, 8).Mul(2).Sub(1).requires_grad_(true);
        Copies(x, 4, 2).sum().backward();
        var perImage = x.grad!.sum(new long[] { 1, 2, 3 });
        perImage.min().item<float>().Should().BeGreaterThan(0f);
    }

    [Fact]
    public void Zero_copies_is_the_identity_and_a_seed_repeats_the_copies()
    {
        var x = torch.rand(1, 3, 8, 8);
        ReferenceEquals(Copies(x, 0, 1), x).Should().BeTrue();
        Copies(x, 2, 5).eq(Copies(x, 2, 5)).all().item<bool>().Should().BeTrue();
    }
}
