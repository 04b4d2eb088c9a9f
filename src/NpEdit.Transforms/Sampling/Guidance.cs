using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Sampling;

/// <summary>Classifier-free guidance: v = v_uncond + s·(v_cond − v_uncond).</summary>
public static class Guidance
{
    public static Tensor Combine(Tensor conditional, Tensor unconditional, double scale) =>
        scale == 1.0 ? conditional.alias() : unconditional.Add(conditional.sub(unconditional).Mul(scale));
}
