using NpEdit.Transforms.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Models;

/// <summary>
/// One single-stream transformer block with adaLN-zero modulation: pre-norm attention and MLP, each scaled,
/// shifted and gated by vectors computed from the token's conditioning. Gates start at zero so a fresh block is
/// the identity.
/// </summary>
public sealed class FlowDiTBlock : nn.Module
{
#pragma warning disable IDE1006 // state_dict keys follow the field names
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly Linear adaLN_modulation;
    private readonly LayerNorm norm1;
    private readonly LayerNorm norm2;
#pragma warning restore IDE1006
    private readonly int _heads;
    private readonly int _hidden;

    public FlowDiTBlock(FlowDiTConfig config) : base(nameof(FlowDiTBlock))
    {
        _heads = config.Heads;
        _hidden = config.Hidden;
        int mlp = (int)(config.Hidden * config.MlpRatio);
        norm1 = nn.LayerNorm(config.Hidden, eps: 1e-6, elementwise_affine: false);
        norm2 = nn.LayerNorm(config.Hidden, eps: 1e-6, elementwise_affine: false);
        qkv = nn.Linear(config.Hidden, 3 * config.Hidden);
        proj = nn.Linear(config.Hidden, config.Hidden);
        fc1 = nn.Linear(config.Hidden, mlp);
        fc2 = nn.Linear(mlp, config.Hidden);
        adaLN_modulation = nn.Linear(config.Hidden, 6 * config.Hidden);
        using (no_grad())
        {
            adaLN_modulation.weight!.zero_();
            adaLN_modulation.bias!.zero_();
        }
        RegisterComponents();
    }

    /// <param name="x">[B, N, H] tokens.</param>
    /// <param name="conditioning">Per-sample conditioning [B, K, H], one row per conditioning kind (e.g. t and t = 0).</param>
    /// <param name="kindOfToken">[N] long index into K per token, or null when K = 1 (every token shares it).</param>
    /// <param name="rope">Interleaved cos and signed sin tables [N, headDim] (<see cref="AxialRope.Interleaved"/>).</param>
    /// <param name="attentionMask">[B, 1, 1, N] boolean (true = may attend), or null.</param>
    public Tensor Forward(Tensor x, Tensor conditioning, Tensor? kindOfToken, (Tensor Cos, Tensor SignedSin) rope, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], n = x.shape[1];
        var mod = adaLN_modulation.call(nn.functional.silu(conditioning));            // [B, K, 6H]
        mod = kindOfToken is null ? mod : mod.index_select(1, kindOfToken);          // [B, N or 1, 6H]
        var chunks = mod.chunk(6, dim: -1);
        Tensor shift1 = chunks[0], scale1 = chunks[1], gate1 = chunks[2], shift2 = chunks[3], scale2 = chunks[4], gate2 = chunks[5];

        var h = norm1.call(x).mul(scale1.Add(1)).Add(shift1);
        var qkvOut = qkv.call(h).view(b, n, 3, _heads, _hidden / _heads).permute(2, 0, 3, 1, 4);
        var qk = AxialRope.Apply(qkvOut.narrow(0, 0, 2), rope.Cos, rope.SignedSin);
        var q = qk[0];
        var k = qk[1];
        var v = qkvOut[2];
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, attentionMask);
        var attnOut = proj.call(attended.transpose(1, 2).reshape(b, n, _hidden));
        x = x.Add(gate1.mul(attnOut));

        h = norm2.call(x).mul(scale2.Add(1)).Add(shift2);
        var mlpOut = fc2.call(nn.functional.gelu(fc1.call(h), GELU.Approximate.tanh));
        x = x.Add(gate2.mul(mlpOut));
        return x.MoveToOuterDisposeScope();
    }
}
