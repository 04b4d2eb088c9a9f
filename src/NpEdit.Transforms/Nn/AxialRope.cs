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
    /// The tables of <see cref="Tables"/> laid out for <see cref="Apply"/>: each angle's cos twice, and its sin as
    /// (-sin, +sin), both [N, headDim]. Built once per forward and shared by every block.
    /// </summary>
    public static (Tensor Cos, Tensor SignedSin) Interleaved((Tensor Cos, Tensor Sin) tables)
    {
        using var scope = NewDisposeScope();
        var (cos, sin) = tables;
        long n = cos.shape[0], half = cos.shape[1];
        var cos2 = torch.stack(new[] { cos, cos }, dim: -1).view(n, 2 * half);
        var signedSin = torch.stack(new[] { sin.neg(), sin }, dim: -1).view(n, 2 * half);
        return (cos2.MoveToOuterDisposeScope(), signedSin.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Rotates interleaved pairs (x[2i], x[2i+1]) of the last dimension:
    /// (x[2i] cos - x[2i+1] sin, x[2i+1] cos + x[2i] sin), written as x * cos + swap(x) * signedSin so that it is four
    /// whole-tensor operations (not seven on strided halves) and gives the same bits as the pairwise form. Any leading
    /// dimensions, so queries and keys rotate in one call.
    /// </summary>
    /// <param name="x">[..., N, headDim].</param>
    /// <param name="cos">[N, headDim] from <see cref="Interleaved"/>.</param>
    /// <param name="signedSin">[N, headDim] from <see cref="Interleaved"/>.</param>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor signedSin)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var pairs = shape.Take(shape.Length - 1).Append(shape[^1] / 2).Append(2L).ToArray();
        var swapped = x.view(pairs).flip(-1).view(shape);
        return x.mul(cos).Add(swapped.mul(signedSin)).MoveToOuterDisposeScope();
    }
}
