using FluentAssertions;
using NpEdit.Transforms.Nn;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Tests.Nn;

public sealed class AxialRopeTests
{
    private static (Tensor Positions, int[] AxisDims) Grid()
    {
        // Two frames of a 3x3 grid: (frame, row, column) per token.
        var rows = new List<long>();
        for (long f = 0; f < 2; f++)
            for (long r = 0; r < 3; r++)
                for (long c = 0; c < 3; c++)
                    rows.AddRange(new[] { f, r, c });
        return (torch.tensor(rows.ToArray(), dtype: ScalarType.Int64).view(-1, 3), new[] { 2, 4, 2 });
    }

    [Fact]
    public void Apply_gives_the_bits_of_the_pairwise_rotation()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (positions, dims) = Grid();
        var tables = AxialRope.Tables(positions, dims);
        var (cos2, signedSin) = AxialRope.Interleaved(tables);
        var x = torch.randn(new long[] { 2, 3, 2, 18, 8 }, generator: torch.manual_seed(3));

        var rotated = AxialRope.Apply(x, cos2, signedSin);

        // The definition: pairs (x[2i], x[2i+1]) rotate by the angle whose cos and sin the tables hold.
        var pairs = x.view(2, 3, 2, 18, 4, 2);
        var even = pairs.select(-1, 0);
        var odd = pairs.select(-1, 1);
        var expected = torch.stack(new[]
        {
            even.mul(tables.Cos).sub(odd.mul(tables.Sin)),
            even.mul(tables.Sin).Add(odd.mul(tables.Cos)),
        }, dim: -1).view(x.shape);
        rotated.shape.Should().Equal(x.shape);
        rotated.eq(expected).all().item<bool>().Should().BeTrue("the fused form must give the same bits as the pairwise one");
    }

    [Fact]
    public void Attention_scores_depend_only_on_the_offset_between_positions()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (positions, dims) = Grid();
        var (cos2, signedSin) = AxialRope.Interleaved(AxialRope.Tables(positions, dims));
        var q = torch.randn(new long[] { 8 }, generator: torch.manual_seed(5));
        var k = torch.randn(new long[] { 8 }, generator: torch.manual_seed(6));
        float Score(int queryToken, int keyToken)
        {
            var rq = AxialRope.Apply(q.unsqueeze(0).expand(18, 8).contiguous(), cos2, signedSin)[queryToken];
            var rk = AxialRope.Apply(k.unsqueeze(0).expand(18, 8).contiguous(), cos2, signedSin)[keyToken];
            return rq.dot(rk).item<float>();
        }

        // Token index = frame * 9 + row * 3 + column. (0,0,0)->(0,1,1) and (1,1,1)->(1,2,2) share the offset (0,1,1).
        Score(0, 4).Should().BeApproximately(Score(13, 17), 1e-4f);
        // A reference token and the target token at the same cell differ only in frame.
        Score(4, 13).Should().BeApproximately(Score(0, 9), 1e-4f);
        Score(0, 4).Should().NotBeApproximately(Score(0, 5), 1e-3f);
        // Rotation keeps each vector's length.
        var rotated = AxialRope.Apply(q.unsqueeze(0).expand(18, 8).contiguous(), cos2, signedSin);
        rotated.norm(1).allclose(q.norm().expand(18), rtol: 1e-5, atol: 1e-5).Should().BeTrue();
    }
}
