using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Losses;

/// <summary>How training draws flow times t ∈ (0, 1).</summary>
public enum TimeDistribution
{
    /// <summary>t = sigmoid(n), n ~ N(mean, std): concentrates on middle times, where the velocity is hardest (SD3).</summary>
    LogitNormal,
    /// <summary>t ~ U(0, 1), then the schedule's time shift.</summary>
    ShiftedUniform,
}

/// <summary>Draws training times.</summary>
public static class TimeSampling
{
    public static Tensor Sample(TimeDistribution distribution, long count, Generator generator, Device device, double mean = 0.0, double std = 1.0, double shift = 1.0)
    {
        using var scope = NewDisposeScope();
        Tensor t = distribution switch
        {
            TimeDistribution.LogitNormal => torch.randn(count, generator: generator).mul(std).add(mean).sigmoid(),
            _ => torch.rand(count, generator: generator).pipe(u => u.mul(shift).div(u.mul(shift - 1).add(1))),
        };
        return t.clamp(1e-4, 1 - 1e-4).to(device).MoveToOuterDisposeScope();
    }

    private static Tensor pipe(this Tensor t, Func<Tensor, Tensor> f) => f(t);
}
