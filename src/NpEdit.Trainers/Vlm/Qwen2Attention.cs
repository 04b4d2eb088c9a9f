using NpEdit.Transforms.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Qwen2 self-attention: grouped-query heads, bias on q/k/v but not on o_proj, rotary positions on q and k,
/// and a caller-supplied additive mask (causal plus padding).
/// </summary>
public sealed class Qwen2Attention : nn.Module
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
#pragma warning restore IDE1006
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;

    public Qwen2Attention(TextModelConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(Qwen2Attention))
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        int d = config.HiddenSize;
        q_proj = nn.Linear(d, _heads * _headDim, hasBias: true, device: device, dtype: dtype);
        k_proj = nn.Linear(d, _kvHeads * _headDim, hasBias: true, device: device, dtype: dtype);
        v_proj = nn.Linear(d, _kvHeads * _headDim, hasBias: true, device: device, dtype: dtype);
        o_proj = nn.Linear(_heads * _headDim, d, hasBias: false, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <param name="x"><c>[B,T,D]</c></param>
    /// <param name="cos">rotary table <c>[B,T,headDim]</c></param>
    /// <param name="sin">rotary table <c>[B,T,headDim]</c></param>
    /// <param name="mask">additive mask broadcastable to <c>[B,heads,T,T]</c></param>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        var q = q_proj.call(x).view(b, t, _heads, _headDim).transpose(1, 2);
        var k = k_proj.call(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        var v = v_proj.call(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        int groups = _heads / _kvHeads;
        k = GroupedQueryAttention.RepeatKeyValue(k, groups);
        v = GroupedQueryAttention.RepeatKeyValue(v, groups);
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: mask);
        return o_proj.call(attended.transpose(1, 2).reshape(b, t, _heads * _headDim)).MoveToOuterDisposeScope();
    }
}
