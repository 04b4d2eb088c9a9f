using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Training;

/// <summary>
/// AdamW (decoupled weight decay) whose whole state is plain tensors, so checkpoints are safetensors and a resumed
/// run continues bit for bit. Parameters are addressed by name, which ties the state to a module's state_dict keys.
/// Like torch's AdamW, each parameter counts its own updates for the bias correction: a parameter that first gets a
/// gradient late in a run (a stage that unfreezes it, a probe that joins later) starts with zero moments, and
/// correcting those with the optimizer's global count would make its first steps about 3x too large.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly List<(string Name, Parameter Parameter)> _parameters;
    private readonly Dictionary<string, Tensor> _exp = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _expSq = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _steps = new(StringComparer.Ordinal);

    public AdamW(IEnumerable<(string Name, Parameter Parameter)> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.0)
    {
        _parameters = parameters.Where(p => p.Parameter.requires_grad).ToList();
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
    }

    public double LearningRate { get; set; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    /// <summary>Number of calls to <see cref="Step"/>.</summary>
    public long StepCount { get; private set; }

    /// <summary>Number of updates the named parameter has taken (its bias-correction count); 0 before its first.</summary>
    public long StepsOf(string name) => _steps.GetValueOrDefault(name);

    public IEnumerable<Parameter> Parameters => _parameters.Select(p => p.Parameter);

    /// <summary>
    /// Names of parameters that <see cref="Step"/> leaves alone for now (no update, no decay, no moment update), for
    /// training stages that freeze part of a model. A zeroed gradient is not enough: Adam's momentum would still move them.
    /// </summary>
    public ISet<string> Frozen { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Learning-rate factors by parameter-name prefix (others get 1; give prefixes that do not overlap), e.g.
    /// <c>"text_encoder." = 5</c> to let a text encoder move faster than the rest. The factor scales the weight decay
    /// too, so a factor of 0 leaves the parameter exactly where it is while, unlike <see cref="Frozen"/>, its moments
    /// stay up to date.
    /// </summary>
    public IDictionary<string, double> LearningRateScales { get; } = new Dictionary<string, double>(StringComparer.Ordinal);

    private double ScaleOf(string name)
    {
        foreach (var (prefix, factor) in LearningRateScales)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal)) return factor;
        }
        return 1.0;
    }

    public void ZeroGrad()
    {
        foreach (var (_, p) in _parameters)
        {
            if (p.grad is not null)
            {
                p.grad.zero_();
            }
        }
    }

    /// <summary>Clips the global gradient norm; returns the norm before clipping.</summary>
    public double ClipGradNorm(double maxNorm) => nn.utils.clip_grad_norm_(Parameters, maxNorm);

    /// <summary>True when every gradient is finite.</summary>
    public bool GradientsAreFinite()
    {
        using var scope = NewDisposeScope();
        // One check and one host read for all gradients: one per parameter was about 1% of a prior training step (a trace).
        var finite = _parameters.Select(p => p.Parameter.grad).OfType<Tensor>().Select(g => g.isfinite().all()).ToArray();
        return finite.Length == 0 || torch.stack(finite).all().item<bool>();
    }

    public void Step()
    {
        StepCount++;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // Scalars are made once and held by `using`: an implicit double-to-Scalar conversion inside a call can be
        // finalized while libtorch still reads it, which crashed a long run in addcmul_ ("Scalar.h: toFloat").
        using var beta1 = Beta1.ToScalar();
        using var oneMinusBeta1 = (1 - Beta1).ToScalar();
        using var beta2 = Beta2.ToScalar();
        using var oneMinusBeta2 = (1 - Beta2).ToScalar();
        using var eps = Eps.ToScalar();
        // The scalars of each (learning-rate factor, update count) in use, made once per step; parameters that
        // started together share one entry.
        var rates = new Dictionary<(double Scale, long Steps), (Scalar Decay, Scalar Step, Scalar Bias2)>();
        try
        {
            foreach (var (name, p) in _parameters)
            {
                var grad = p.grad;
                if (grad is null || Frozen.Contains(name)) continue;
                if (!_exp.TryGetValue(name, out var m))
                {
                    m = torch.zeros_like(p).DetachFromDisposeScope();
                    _exp[name] = m;
                    _expSq[name] = torch.zeros_like(p).DetachFromDisposeScope();
                }
                var v = _expSq[name];
                long steps = _steps.GetValueOrDefault(name) + 1;
                _steps[name] = steps;
                double scale = ScaleOf(name);
                if (!rates.TryGetValue((scale, steps), out var rate))
                {
                    double bias1 = 1 - Math.Pow(Beta1, steps);
                    double bias2 = 1 - Math.Pow(Beta2, steps);
                    rate = ((1 - LearningRate * scale * WeightDecay).ToScalar(), (-LearningRate * scale / bias1).ToScalar(), bias2.ToScalar());
                    rates[(scale, steps)] = rate;
                }
                if (WeightDecay != 0) p.mul_(rate.Decay);
                m.mul_(beta1).add_(grad, alpha: oneMinusBeta1);
                v.mul_(beta2).addcmul_(grad, grad, value: oneMinusBeta2);
                var denominator = v.div(rate.Bias2).sqrt_().AddInPlace(eps);
                p.addcdiv_(m, denominator, value: rate.Step);
            }
        }
        finally
        {
            foreach (var (decay, step, bias2) in rates.Values)
            {
                decay.Dispose();
                step.Dispose();
                bias2.Dispose();
            }
        }
    }

    /// <summary>The state as named tensors (for a checkpoint).</summary>
    public Dictionary<string, Tensor> StateTensors()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, m) in _exp) state[$"exp_avg.{name}"] = m;
        foreach (var (name, v) in _expSq) state[$"exp_avg_sq.{name}"] = v;
        foreach (var (name, steps) in _steps) state[$"steps.{name}"] = torch.tensor(new[] { steps });
        state["step"] = torch.tensor(new[] { StepCount });
        return state;
    }

    /// <summary>
    /// Restores the state written by <see cref="StateTensors"/>; names must match this optimizer's parameters. A state
    /// from before per-parameter counts (no <c>steps.</c> entries) gives every parameter with moments the global count,
    /// which is how it was corrected when it was written.
    /// </summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, string source)
    {
        var known = _parameters.ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);
        foreach (var (key, value) in state)
        {
            if (key == "step") continue;
            string name = key.StartsWith("exp_avg_sq.", StringComparison.Ordinal) ? key["exp_avg_sq.".Length..]
                : key.StartsWith("exp_avg.", StringComparison.Ordinal) ? key["exp_avg.".Length..]
                : key.StartsWith("steps.", StringComparison.Ordinal) ? key["steps.".Length..]
                : throw new InvalidDataException($"{source}: unexpected optimizer tensor '{key}'.");
            if (!known.TryGetValue(name, out var p))
                throw new InvalidDataException($"{source}: optimizer state for unknown parameter '{name}'.");
            if (!key.StartsWith("steps.", StringComparison.Ordinal) && !p.shape.SequenceEqual(value.shape))
                throw new InvalidDataException($"{source}: optimizer state '{key}' has shape [{string.Join(",", value.shape)}], parameter has [{string.Join(",", p.shape)}].");
        }
        DisposeState();
        StepCount = state.TryGetValue("step", out var s) ? s.item<long>() : 0;
        foreach (var (key, value) in state)
        {
            if (key == "step") continue;
            if (key.StartsWith("steps.", StringComparison.Ordinal))
            {
                _steps[key["steps.".Length..]] = value.item<long>();
                continue;
            }
            var copy = value.to(known[key[(key.IndexOf('.') + 1)..]].device).clone().DetachFromDisposeScope();
            if (key.StartsWith("exp_avg_sq.", StringComparison.Ordinal)) _expSq[key["exp_avg_sq.".Length..]] = copy;
            else _exp[key["exp_avg.".Length..]] = copy;
        }
        foreach (var name in _exp.Keys) _steps.TryAdd(name, StepCount);
    }

    private void DisposeState()
    {
        foreach (var t in _exp.Values) t.Dispose();
        foreach (var t in _expSq.Values) t.Dispose();
        _exp.Clear();
        _expSq.Clear();
        _steps.Clear();
    }

    public void Dispose() => DisposeState();
}
