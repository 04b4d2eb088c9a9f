namespace NpEdit.Transforms.Sampling;

/// <summary>Few-step (default 4) or many-step sampling settings.</summary>
public sealed record SamplerOptions
{
    public int Steps { get; init; } = 4;
    public double Shift { get; init; } = 3.0;
    /// <summary>An explicit time grid (1 … 0) that overrides <see cref="Steps"/> and <see cref="Shift"/>.</summary>
    public double[]? Timesteps { get; init; }
    /// <summary>Classifier-free guidance scale; 1 means no guidance (a single conditional pass).</summary>
    public double GuidanceScale { get; init; } = 1.0;
    /// <summary>
    /// Guidance applies only at times in [<see cref="GuidanceMinTime"/>, <see cref="GuidanceMaxTime"/>]; elsewhere a
    /// single conditional pass (guidance in a limited interval, Kynkäänniemi et al. 2024). Measured on the shapes prior
    /// at 16 steps: no interval beat guidance everywhere (docs/models.md).
    /// </summary>
    public double GuidanceMinTime { get; init; } = 0.0;
    public double GuidanceMaxTime { get; init; } = 1.0;

    /// <summary>Whether guidance applies at time <paramref name="t"/>.</summary>
    public bool GuidedAt(double t) => GuidanceScale != 1.0 && t >= GuidanceMinTime && t <= GuidanceMaxTime;
    public SamplerMode Mode { get; init; } = SamplerMode.Euler;

    public double[] Grid() => Timesteps is null ? FlowSchedule.Timesteps(Steps, Shift) : FlowSchedule.Validate(Timesteps);
}
