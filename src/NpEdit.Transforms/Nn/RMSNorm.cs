using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Nn;

/// <summary>
/// Root-mean-square layer norm (Zhang and Sennrich 2019) as Llama/Qwen2 use it: no mean subtraction, no bias,
/// one learned gain named <c>weight</c> so that state_dict keys match Hugging Face checkpoints.
/// </summary>
public sealed class RMSNorm : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly Parameter weight;
#pragma warning restore IDE1006
    private readonly double _eps;

    public RMSNorm(long size, double eps = 1e-6, Device? device = null, ScalarType? dtype = null) : base(nameof(RMSNorm))
    {
        weight = new Parameter(torch.ones(size, dtype: dtype, device: device));
        _eps = eps;
        RegisterComponents();
    }

    public Parameter Weight => weight;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        // The statistic is taken in float32 even for bf16/fp16 inputs (as the reference implementations do);
        // low-precision squares overflow or lose the small variances of well-normalised streams.
        var x = input.to(ScalarType.Float32);
        var variance = x.Pow(2).mean(new long[] { -1 }, keepdim: true);
        var normalised = x.mul(torch.rsqrt(variance.Add(_eps))).to(input.dtype);
        return weight.mul(normalised).MoveToOuterDisposeScope();
    }
}
