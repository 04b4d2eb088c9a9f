using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class GradientLowPassTests
{
    public GradientLowPassTests() => TorchRuntime.EnsureInitialized();

    private static Tensor GradientThrough(Tensor upstream, int factor)
    {
        var x = torch.rand(1, 3, 8, 8).requires_grad_(true);
        var y = GradientLowPass.Apply(x, factor);
        y.mul(upstream).sum().backward();
        return x.grad!;
    }

    [Fact]
    public void The_forward_value_is_the_input_exactly()
    {
        var x = torch.rand(2, 3, 8, 8);
        GradientLowPass.Apply(x, 4).eq(x).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void A_pixel_checkerboard_gradient_is_removed_and_a_constant_one_passes()
    {
        using var scope = NewDisposeScope();
        var rows = TensorMath.Arange(0, 8).view(8, 1);
        var cols = TensorMath.Arange(0, 8).view(1, 8);
        var checkerboard = rows.Add(cols).Remainder(2).Mul(2).Sub(1).to(float32).expand(1, 3, 8, 8);
        GradientThrough(checkerboard, 2).abs().max().item<float>().Should().BeLessThan(1e-6f, "pooling by 2 averages a pixel checkerboard to zero");
        var constant = torch.ones(1, 3, 8, 8);
        GradientThrough(constant, 2).sum().item<float>().Should().BeApproximately(constant.sum().item<float>(), 1e-3f, "a coarse gradient keeps its total");
    }

    [Fact]
    public void Factor_one_is_the_identity_and_a_factor_that_does_not_divide_the_size_is_refused()
    {
        var x = torch.rand(1, 3, 8, 8);
        ReferenceEquals(GradientLowPass.Apply(x, 1), x).Should().BeTrue();
        var act = () => GradientLowPass.Apply(x, 3);
        act.Should().Throw<ArgumentException>().WithMessage("*factor 3*8x8*");
    }
}
