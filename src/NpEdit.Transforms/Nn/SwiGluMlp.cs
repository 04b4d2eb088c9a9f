using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Nn;

/// <summary>
/// Gated feed-forward block <c>down(silu(gate(x)) * up(x))</c> (Shazeer 2020), as in Llama and Qwen2.
/// Field names follow those checkpoints: <c>gate_proj</c>, <c>up_proj</c>, <c>down_proj</c>.
/// </summary>
public sealed class SwiGluMlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly Linear gate_proj;
    private readonly Linear up_proj;
    private readonly Linear down_proj;
#pragma warning restore IDE1006

    public SwiGluMlp(long hiddenSize, long intermediateSize, bool bias = false, Device? device = null, ScalarType? dtype = null)
        : base(nameof(SwiGluMlp))
    {
        gate_proj = nn.Linear(hiddenSize, intermediateSize, hasBias: bias, device: device, dtype: dtype);
        up_proj = nn.Linear(hiddenSize, intermediateSize, hasBias: bias, device: device, dtype: dtype);
        down_proj = nn.Linear(intermediateSize, hiddenSize, hasBias: bias, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var gated = nn.functional.silu(gate_proj.call(x)).mul(up_proj.call(x));
        return down_proj.call(gated).MoveToOuterDisposeScope();
    }
}
