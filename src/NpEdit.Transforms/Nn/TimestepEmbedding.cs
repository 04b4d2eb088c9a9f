using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Nn;

/// <summary>
/// Flow time t in [0, 1] to a conditioning vector: sinusoidal features of 1000·t (the DiT convention, so
/// neighbouring steps stay distinguishable) followed by a two-layer SiLU MLP.
/// </summary>
public sealed class TimestepEmbedding : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict keys follow the field names
    private readonly Linear linear_1;
    private readonly Linear linear_2;
#pragma warning restore IDE1006
    private readonly int _frequencyDim;

    public TimestepEmbedding(int hidden, int frequencyDim = 128) : base(nameof(TimestepEmbedding))
    {
        _frequencyDim = frequencyDim;
        linear_1 = nn.Linear(frequencyDim, hidden);
        linear_2 = nn.Linear(hidden, hidden);
        RegisterComponents();
    }

    /// <param name="t">[B] flow times.</param>
    public override Tensor forward(Tensor t)
    {
        using var scope = NewDisposeScope();
        var features = Sinusoidal(t.Mul(1000.0), _frequencyDim);
        var h = linear_2.call(nn.functional.silu(linear_1.call(features)));
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>[B] -> [B, dim]: cos and sin of t at geometrically spaced frequencies (max period 10000).</summary>
    public static Tensor Sinusoidal(Tensor t, int dim)
    {
        using var scope = NewDisposeScope();
        int half = dim / 2;
        var exponent = TensorMath.Arange(0, half, dtype: ScalarType.Float32, device: t.device).Mul(-Math.Log(10000.0) / half);
        var args = t.to(ScalarType.Float32).unsqueeze(1).mul(exponent.exp().unsqueeze(0));
        return torch.cat(new[] { args.cos(), args.sin() }, dim: 1).MoveToOuterDisposeScope();
    }
}
