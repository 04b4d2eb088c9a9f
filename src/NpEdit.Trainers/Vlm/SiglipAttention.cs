using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>Bidirectional multi-head self-attention over patch tokens (SigLIP naming: q/k/v/out_proj, all with bias).</summary>
public sealed class SiglipAttention : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear q_proj;
    private readonly Linear out_proj;
#pragma warning restore IDE1006
    private readonly int _heads;
    private readonly int _headDim;

    public SiglipAttention(VisionTowerConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(SiglipAttention))
    {
        int d = config.HiddenSize;
        k_proj = nn.Linear(d, d, hasBias: true, device: device, dtype: dtype);
        v_proj = nn.Linear(d, d, hasBias: true, device: device, dtype: dtype);
        q_proj = nn.Linear(d, d, hasBias: true, device: device, dtype: dtype);
        out_proj = nn.Linear(d, d, hasBias: true, device: device, dtype: dtype);
        _heads = config.NumAttentionHeads;
        _headDim = config.HeadDim;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], t = x.shape[1];
        Tensor Heads(Linear projection) => projection.call(x).view(n, t, _heads, _headDim).transpose(1, 2);
        var attended = nn.functional.scaled_dot_product_attention(Heads(q_proj), Heads(k_proj), Heads(v_proj));
        return out_proj.call(attended.transpose(1, 2).reshape(n, t, _heads * _headDim)).MoveToOuterDisposeScope();
    }
}
