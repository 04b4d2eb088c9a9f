using NpEdit.Transforms.Nn;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Tests.Nn;

public sealed class RMSNormTests
{
    public RMSNormTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Divides_each_row_by_its_root_mean_square_and_scales_by_weight()
    {
        using var norm = new RMSNorm(2, eps: 0.0);
        using (torch.no_grad()) norm.Weight.copy_(torch.tensor(new float[] { 1f, 2f }));
        using var x = torch.tensor(new float[] { 3f, 4f, 1f, 1f }, 2, 2);
        using var y = norm.call(x);
        double rms = Math.Sqrt((9 + 16) / 2.0);
        var expected = new[] { 3 / rms, 2 * 4 / rms, 1.0, 2.0 };
        y.data<float>().ToArray().Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void Its_only_state_is_a_parameter_named_weight()
    {
        using var norm = new RMSNorm(8);
        norm.state_dict().Keys.Should().Equal("weight");
        norm.parameters().Should().ContainSingle();
    }
}
