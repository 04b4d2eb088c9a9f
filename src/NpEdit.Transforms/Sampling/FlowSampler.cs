using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Sampling;

/// <summary>
/// Integrates a velocity field from noise (t = 1) to data (t = 0) over a time grid.
/// </summary>
public static class FlowSampler
{
    /// <summary>The velocity at (x, t); t is a [B] tensor.</summary>
    public delegate Tensor VelocityField(Tensor x, Tensor t);

    /// <param name="velocity">The (possibly guided) velocity field.</param>
    /// <param name="noise">[B, ...] starting noise at t = 1.</param>
    /// <param name="grid">Times from 1 down to 0.</param>
    /// <param name="mode">Euler or re-noising.</param>
    /// <param name="freshNoise">Fresh noise for step i of <see cref="SamplerMode.Renoise"/> (same shape as <paramref name="noise"/>);
    /// standard normal from the global generator when null.</param>
    public static Tensor Sample(VelocityField velocity, Tensor noise, IReadOnlyList<double> grid, SamplerMode mode = SamplerMode.Euler, Func<int, Tensor>? freshNoise = null)
    {
        using var scope = NewDisposeScope();
        var x = noise;
        long b = noise.shape[0];
        for (int i = 0; i + 1 < grid.Count; i++)
        {
            double t = grid[i], next = grid[i + 1];
            var tTensor = TensorMath.Full(new[] { b }, t, ScalarType.Float32, noise.device);
            var v = velocity(x, tTensor);
            if (mode == SamplerMode.Euler || next == 0.0)
            {
                x = x.Add(v.Mul(next - t));
            }
            else
            {
                var x0 = x.sub(v.Mul(t));
                var fresh = freshNoise is null ? torch.randn(noise.shape, dtype: noise.dtype, device: noise.device) : freshNoise(i).to(noise.device);
                x = x0.Mul(1.0 - next).Add(fresh.Mul(next));
            }
            scope.DisposeEverythingBut(x);
        }
        return x.MoveToOuterDisposeScope();
    }
}
