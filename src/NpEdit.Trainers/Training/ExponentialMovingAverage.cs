using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Training;

/// <summary>
/// An exponential moving average of a module's floating-point state (parameters and buffers), kept as its own
/// tensors: ema ← decay·ema + (1 − decay)·θ. Sampling from the average gives smoother results than the last step.
/// </summary>
public sealed class ExponentialMovingAverage : IDisposable
{
    private readonly Dictionary<string, Tensor> _shadow = new(StringComparer.Ordinal);

    public ExponentialMovingAverage(nn.Module module, double decay)
    {
        Decay = decay;
        using var noGrad = no_grad();
        foreach (var (name, value) in module.state_dict())
        {
            if (value.is_floating_point()) _shadow[name] = value.detach().clone().DetachFromDisposeScope();
        }
    }

    public double Decay { get; }
    public IReadOnlyDictionary<string, Tensor> Shadow => _shadow;

    public void Update(nn.Module module) => Update(module, Decay);

    /// <summary>
    /// Update after optimizer step <paramref name="step"/> (1-based) with the warm-up decay min(decay, (1 + step)/(10 + step)):
    /// early on the average follows the weights closely, so a short run's average is not dominated by the random
    /// initialisation (0.999^300 would still weigh it at 74%).
    /// </summary>
    public void Update(nn.Module module, long step) => Update(module, Math.Min(Decay, (1.0 + step) / (10.0 + step)));

    private void Update(nn.Module module, double decay)
    {
        using var noGrad = no_grad();
        using var keep = decay.ToScalar();
        using var take = (1 - decay).ToScalar();
        foreach (var (name, value) in module.state_dict())
        {
            if (_shadow.TryGetValue(name, out var s)) s.mul_(keep).add_(value, alpha: take);
        }
    }

    /// <summary>Writes the averaged weights into <paramref name="module"/>.</summary>
    public void CopyTo(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (name, value) in module.state_dict())
        {
            if (_shadow.TryGetValue(name, out var s)) value.copy_(s);
        }
    }

    public void Load(IReadOnlyDictionary<string, Tensor> state, string source)
    {
        foreach (var name in _shadow.Keys)
        {
            if (!state.TryGetValue(name, out var value))
                throw new InvalidDataException($"{source}: EMA state lacks '{name}'.");
            using var noGrad = no_grad();
            _shadow[name].copy_(value);
        }
    }

    public void Dispose()
    {
        foreach (var t in _shadow.Values) t.Dispose();
        _shadow.Clear();
    }
}
