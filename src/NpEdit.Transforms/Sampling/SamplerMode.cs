namespace NpEdit.Transforms.Sampling;

/// <summary>How a step moves from time t to the next time t'.</summary>
public enum SamplerMode
{
    /// <summary>Deterministic Euler on the flow ODE: x' = x + (t' − t)·v.</summary>
    Euler,
    /// <summary>
    /// Predict x0 = x − t·v, then re-noise with fresh noise: x' = (1 − t')·x0 + t'·ε'. This is how NP-Edit unrolls its
    /// few-step generator during training, so editors trained that way sample the same way.
    /// </summary>
    Renoise,
}
