using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>Two-layer GELU MLP from vision width to text width (<c>multi_modal_projector.linear_1/linear_2</c>).</summary>
public sealed class LlavaMultiModalProjector : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly Linear linear_1;
    private readonly Linear linear_2;
#pragma warning restore IDE1006

    public LlavaMultiModalProjector(VlmConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(LlavaMultiModalProjector))
    {
        int text = config.TextConfig.HiddenSize;
        linear_1 = nn.Linear(config.VisionConfig.HiddenSize, text, hasBias: config.MultimodalProjectorBias, device: device, dtype: dtype);
        linear_2 = nn.Linear(text, text, hasBias: config.MultimodalProjectorBias, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // projector_hidden_act "gelu" is the exact (erf) GELU, unlike the tower's tanh approximation.
        return linear_2.call(nn.functional.gelu(linear_1.call(x))).MoveToOuterDisposeScope();
    }
}
