using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Nn;

/// <summary>
/// Helpers for attention with fewer key/value heads than query heads (GQA, Ainslie et al. 2023).
/// TorchSharp's scaled_dot_product_attention has no <c>enable_gqa</c>, so key/value heads are expanded first.
/// </summary>
public static class GroupedQueryAttention
{
    /// <summary>
    /// <c>[B, Hkv, T, D]</c> to <c>[B, Hkv*groups, T, D]</c> with each key/value head repeated for the
    /// <paramref name="groups"/> consecutive query heads that share it (query head h uses kv head h / groups).
    /// </summary>
    public static Tensor RepeatKeyValue(Tensor x, int groups)
    {
        if (groups == 1) return x.alias();
        long b = x.shape[0], heads = x.shape[1], t = x.shape[2], d = x.shape[3];
        using var expanded = x.unsqueeze(2).expand(b, heads, groups, t, d);
        return expanded.reshape(b, heads * groups, t, d);
    }

    /// <summary>
    /// Additive float mask <c>[B,1,T,T]</c> for causal attention over left- or right-padded rows:
    /// 0 where query i may see key j (j &lt;= i and key j is real), -inf elsewhere. The diagonal is always
    /// open so that a padding query still has one key; a fully masked row would give NaN through softmax,
    /// and NaN times a zero weight is still NaN in the next layer.
    /// </summary>
    public static Tensor CausalPaddingMask(Tensor attentionMask, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        long t = attentionMask.shape[1];
        var device = attentionMask.device;
        var causal = torch.ones(t, t, dtype: ScalarType.Bool, device: device).tril();
        var keys = attentionMask.to(ScalarType.Bool).unsqueeze(1).unsqueeze(1); // [B,1,1,T]
        var eye = torch.eye(t, dtype: ScalarType.Bool, device: device);
        var allowed = causal.unsqueeze(0).unsqueeze(0).logical_and(keys).logical_or(eye);
        var mask = torch.zeros(allowed.shape, dtype: dtype, device: device)
            .MaskedFill(allowed.logical_not(), double.NegativeInfinity);
        return mask.MoveToOuterDisposeScope();
    }

    /// <summary>Additive mask <c>[B,1,1,T]</c> for bidirectional attention that ignores padded keys.</summary>
    public static Tensor PaddingMask(Tensor attentionMask, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var keys = attentionMask.to(ScalarType.Bool).unsqueeze(1).unsqueeze(1);
        var mask = torch.zeros(keys.shape, dtype: dtype, device: attentionMask.device)
            .MaskedFill(keys.logical_not(), double.NegativeInfinity);
        return mask.MoveToOuterDisposeScope();
    }
}
