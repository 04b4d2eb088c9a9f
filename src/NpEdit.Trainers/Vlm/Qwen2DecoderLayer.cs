using NpEdit.Transforms.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>Pre-norm decoder block: <c>x + attn(rms(x))</c>, then <c>x + swiglu(rms(x))</c>.</summary>
public sealed class Qwen2DecoderLayer : nn.Module
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly Qwen2Attention self_attn;
    private readonly SwiGluMlp mlp;
    private readonly RMSNorm input_layernorm;
    private readonly RMSNorm post_attention_layernorm;
#pragma warning restore IDE1006

    public Qwen2DecoderLayer(TextModelConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(Qwen2DecoderLayer))
    {
        self_attn = new Qwen2Attention(config, device, dtype);
        mlp = new SwiGluMlp(config.HiddenSize, config.IntermediateSize, bias: false, device: device, dtype: dtype);
        input_layernorm = new RMSNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        post_attention_layernorm = new RMSNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var h = x.Add(self_attn.Forward(input_layernorm.call(x), cos, sin, mask));
        return h.Add(mlp.call(post_attention_layernorm.call(h))).MoveToOuterDisposeScope();
    }
}
