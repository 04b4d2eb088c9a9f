using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>Pre-norm transformer block: <c>x + attn(ln1(x))</c>, then <c>x + mlp(ln2(x))</c>.</summary>
public sealed class SiglipEncoderLayer : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly LayerNorm layer_norm1;
    private readonly SiglipAttention self_attn;
    private readonly LayerNorm layer_norm2;
    private readonly SiglipMlp mlp;
#pragma warning restore IDE1006

    public SiglipEncoderLayer(VisionTowerConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(SiglipEncoderLayer))
    {
        layer_norm1 = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps, device: device, dtype: dtype);
        self_attn = new SiglipAttention(config, device, dtype);
        layer_norm2 = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps, device: device, dtype: dtype);
        mlp = new SiglipMlp(config, device, dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x.Add(self_attn.call(layer_norm1.call(x)));
        return h.Add(mlp.call(layer_norm2.call(h))).MoveToOuterDisposeScope();
    }
}
