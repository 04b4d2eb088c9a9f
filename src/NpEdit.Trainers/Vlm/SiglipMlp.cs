using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>The ViT feed-forward block <c>fc2(gelu(fc1(x)))</c>; SigLIP uses the tanh approximation of GELU.</summary>
public sealed class SiglipMlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly Linear fc1;
    private readonly Linear fc2;
#pragma warning restore IDE1006
    private readonly GELU.Approximate _approximate;

    public SiglipMlp(VisionTowerConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(SiglipMlp))
    {
        fc1 = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: true, device: device, dtype: dtype);
        fc2 = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: true, device: device, dtype: dtype);
        _approximate = config.HiddenAct == "gelu_pytorch_tanh" ? GELU.Approximate.tanh : GELU.Approximate.none;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return fc2.call(nn.functional.gelu(fc1.call(x), _approximate)).MoveToOuterDisposeScope();
    }
}
