using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Nn;

/// <summary>
/// Rotary position embedding over several axes (here frame, row, column). The head dimension is split into one
/// even-sized chunk per axis; each chunk rotates by its own coordinate. Tokens that share (row, column) but differ in
/// frame (a reference image and the image being generated) therefore attend with aligned spatial phases.
/// </summary>
public static class AxialRope
{
    /// <summary>
    /// Cos and sin tables for the given positions.
    /// </summary>
    /// <param name="positions">[N, axes] integer coordinates.</param>
    /// <param name="axisDims">Rotary dims per axis (each even; they sum to the head dim).</param>
    /// <returns>cos, sin: [N, headDim/2].</returns>
    public static (Tensor Cos, Tensor Sin) Tables(Tensor positions, IReadOnlyList<int> axisDims, double theta = 10000.0)
    {
        using var scope = NewDisposeScope();
        var angles = new List<Tensor>();
        for (int axis = 0; axis < axisDims.Count; axis++)
        {
            int dim = axisDims[axis];
            if (dim % 2 != 0) throw new ArgumentException($"Rotary dim of axis {axis} must be even, got {dim}.");
            if (dim == 0) continue;
            var inv = TensorMath.Arange(0, dim, 2, ScalarType.Float64, positions.device).Div(dim).neg().Mul(Math.Log(theta)).exp();
            var pos = positions.select(1, axis).to(ScalarType.Float64).unsqueeze(1);
            angles.Add(pos.mul(inv.unsqueeze(0)));
        }
        var all = torch.cat(angles.ToArray(), dim: 1).to(ScalarType.Float32);
        var cos = all.cos();
        var sin = all.sin();
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Rotates interleaved pairs (x[2i], x[2i+1]) of the last dimension.
    /// </summary>
    /// <param name="x">[B, heads, N, headDim].</param>
    /// <param name="cos">[N, headDim/2].</param>
    /// <param name="sin">[N, headDim/2].</param>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var pairs = x.view(shape[0], shape[1], shape[2], shape[3] / 2, 2);
        var even = pairs.select(-1, 0);
        var odd = pairs.select(-1, 1);
        var rotatedEven = even.mul(cos).sub(odd.mul(sin));
        var rotatedOdd = even.mul(sin).Add(odd.mul(cos));
        var result = torch.stack(new[] { rotatedEven, rotatedOdd }, dim: -1).view(shape);
        return result.MoveToOuterDisposeScope();
    }
}
