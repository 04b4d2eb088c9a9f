using NpEdit.Transforms.Nn;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Tests.Nn;

public sealed class RotaryEmbeddingTests
{
    public RotaryEmbeddingTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Inverse_frequencies_are_theta_to_the_minus_two_i_over_d()
    {
        using var inv = RotaryEmbedding.InverseFrequencies(4, 100.0);
        inv.data<float>().ToArray().Should().Equal(new[] { 1f, 0.1f }, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void Rotates_the_two_halves_as_a_complex_pair_by_position_times_frequency()
    {
        // head_dim 2: one pair (x1, x2) rotated by angle = position * 1.
        using var positions = torch.tensor(new long[] { 0, 1, 2 }).view(1, 3);
        var (cos, sin) = RotaryEmbedding.CosSin(positions, 2, 10_000.0, ScalarType.Float32);
        using var x = torch.tensor(new float[] { 1, 0, 1, 0, 0, 1 }).view(1, 1, 3, 2);
        using var y = RotaryEmbedding.Apply(x, cos, sin);
        var v = y.data<float>().ToArray();
        var expected = new[] { 1f, 0f, (float)Math.Cos(1), (float)Math.Sin(1), -(float)Math.Sin(2), (float)Math.Cos(2) };
        v.Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-6);
        cos.Dispose(); sin.Dispose();
    }

    [Fact]
    public void Query_key_products_depend_only_on_the_relative_position()
    {
        torch.manual_seed(3);
        using var q = torch.randn(1, 1, 1, 8);
        using var k = torch.randn(1, 1, 1, 8);
        double Score(long m, long n)
        {
            using var scope = NewDisposeScope();
            var (cm, sm) = RotaryEmbedding.CosSin(torch.tensor(new[] { m }).view(1, 1), 8, 10_000.0, ScalarType.Float32);
            var (cn, sn) = RotaryEmbedding.CosSin(torch.tensor(new[] { n }).view(1, 1), 8, 10_000.0, ScalarType.Float32);
            return RotaryEmbedding.Apply(q, cm, sm).mul(RotaryEmbedding.Apply(k, cn, sn)).sum().item<float>();
        }
        Score(5, 2).Should().BeApproximately(Score(13, 10), 1e-4);
        Score(5, 2).Should().NotBeApproximately(Score(5, 4), 1e-3);
    }

    [Fact]
    public void Rotate_half_negates_the_second_half_and_swaps()
    {
        using var x = torch.tensor(new float[] { 1, 2, 3, 4 });
        using var y = RotaryEmbedding.RotateHalf(x);
        y.data<float>().ToArray().Should().Equal(-3f, -4f, 1f, 2f);
    }
}
