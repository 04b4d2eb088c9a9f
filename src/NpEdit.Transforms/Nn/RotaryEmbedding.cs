using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Nn;

/// <summary>
/// Rotary position embedding (Su et al. 2021) in the "rotate half" layout used by Llama, Qwen2 and most
/// Hugging Face checkpoints: the first and second halves of each head dimension form the rotated pairs
/// (not interleaved even/odd pairs). Stateless: cos/sin are computed from explicit position ids, so left
/// padding and packed sequences get the same rotation as an unpadded sequence.
/// </summary>
public static class RotaryEmbedding
{
    /// <summary><c>theta^(-2i/d)</c> for i = 0..d/2-1, float32 (computed the reference way: integer arange, then divide).</summary>
    public static Tensor InverseFrequencies(int headDim, double theta, Device? device = null)
    {
        if (headDim % 2 != 0) throw new ArgumentException($"Rotary head dimension must be even, got {headDim}.", nameof(headDim));
        using var scope = NewDisposeScope();
        var exponents = TensorMath.Arange(0, headDim, 2, ScalarType.Int64, device).to(ScalarType.Float32).Div(headDim);
        return torch.pow(theta, exponents).reciprocal().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// cos and sin tables for <paramref name="positionIds"/> (<c>[B,T]</c> integer): each <c>[B,T,headDim]</c>,
    /// the frequency vector repeated twice to cover both halves.
    /// </summary>
    public static (Tensor Cos, Tensor Sin) CosSin(Tensor positionIds, int headDim, double theta, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var inverse = InverseFrequencies(headDim, theta, positionIds.device);
        var angles = positionIds.to(ScalarType.Float32).unsqueeze(-1).mul(inverse); // [B,T,D/2]
        var both = torch.cat(new[] { angles, angles }, dim: -1);
        var cos = both.cos().to(dtype).MoveToOuterDisposeScope();
        var sin = both.sin().to(dtype).MoveToOuterDisposeScope();
        return (cos, sin);
    }

    /// <summary><c>[-x2, x1]</c> for <c>x = [x1, x2]</c> split along the last dimension.</summary>
    public static Tensor RotateHalf(Tensor x)
    {
        long half = x.shape[^1] / 2;
        using var first = x.narrow(-1, 0, half);
        using var second = x.narrow(-1, half, half);
        using var negated = second.neg();
        return torch.cat(new[] { negated, first }, dim: -1);
    }

    /// <summary>Rotates <paramref name="x"/> (<c>[B,H,T,D]</c>) by tables from <see cref="CosSin"/> (<c>[B,T,D]</c>).</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var c = cos.unsqueeze(1);
        var s = sin.unsqueeze(1);
        return x.mul(c).Add(RotateHalf(x).mul(s)).MoveToOuterDisposeScope();
    }
}
