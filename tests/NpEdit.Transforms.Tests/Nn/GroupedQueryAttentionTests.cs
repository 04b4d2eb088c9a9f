using NpEdit.Transforms.Nn;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Tests.Nn;

public sealed class GroupedQueryAttentionTests
{
    public GroupedQueryAttentionTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Each_key_value_head_serves_consecutive_query_heads()
    {
        // Two kv heads holding 10 and 20, shared by groups of 2 query heads: [10, 10, 20, 20].
        using var kv = torch.tensor(new float[] { 10, 20 }).view(1, 2, 1, 1);
        using var repeated = GroupedQueryAttention.RepeatKeyValue(kv, 2);
        repeated.shape.Should().Equal(1, 4, 1, 1);
        repeated.data<float>().ToArray().Should().Equal(10f, 10f, 20f, 20f);
    }

    [Fact]
    public void Grouped_attention_equals_a_hand_computed_softmax_average()
    {
        // 2 query heads share 1 kv head; 2 positions, head_dim 1, causal.
        using var q = torch.tensor(new float[] { 0, 1, 0, 2 }).view(1, 2, 2, 1);
        using var k = torch.tensor(new float[] { 1, 3 }).view(1, 1, 2, 1);
        using var v = torch.tensor(new float[] { 5, 7 }).view(1, 1, 2, 1);
        using var mask = GroupedQueryAttention.CausalPaddingMask(torch.ones(1, 2, dtype: ScalarType.Int64), ScalarType.Float32);
        using var kk = GroupedQueryAttention.RepeatKeyValue(k, 2);
        using var vv = GroupedQueryAttention.RepeatKeyValue(v, 2);
        using var y = nn.functional.scaled_dot_product_attention(q, kk, vv, attn_mask: mask);
        static double Mix(double qv) // position 1 sees keys 1 and 3 with scores q*k/sqrt(1)
        {
            double a = Math.Exp(qv * 1), b = Math.Exp(qv * 3);
            return (5 * a + 7 * b) / (a + b);
        }
        var values = y.data<float>().ToArray();
        values[0].Should().BeApproximately(5f, 1e-5f); // position 0 sees only itself
        values[1].Should().BeApproximately((float)Mix(1), 1e-4f);
        values[2].Should().BeApproximately(5f, 1e-5f);
        values[3].Should().BeApproximately((float)Mix(2), 1e-4f);
    }

    [Fact]
    public void Causal_padding_mask_hides_future_and_padded_keys_but_keeps_the_diagonal()
    {
        // Row 0 is left-padded by one position.
        using var attention = torch.tensor(new long[] { 0, 1, 1, 1, 1, 1 }).view(2, 3);
        using var mask = GroupedQueryAttention.CausalPaddingMask(attention, ScalarType.Float32);
        mask.shape.Should().Equal(2, 1, 3, 3);
        var open = mask.Eq(0).to(ScalarType.Int32).data<int>().ToArray();
        open.Should().Equal(
            1, 0, 0, /**/ 0, 1, 0, /**/ 0, 1, 1,
            1, 0, 0, /**/ 1, 1, 0, /**/ 1, 1, 1);
    }
}
