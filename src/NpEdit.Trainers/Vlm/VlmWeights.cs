using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>Weight initialisation for training a VLM from scratch, following the HF models' <c>_init_weights</c>.</summary>
public static class VlmWeights
{
    /// <summary>
    /// Linear/conv/embedding weights ~ N(0, <paramref name="std"/>), biases 0, norm gains 1, the image newline
    /// ~ N(0, std). Deterministic given <paramref name="seed"/>: a private generator, because torch's global one is
    /// shared with everything else in the process. PyTorch's default uniform init would also train, but
    /// unit-variance embeddings swamp the small residual stream of a tiny decoder.
    /// </summary>
    public static void InitializeForTraining(LlavaOnevisionModel model, long seed, double std = 0.02)
    {
        using var noGrad = torch.no_grad();
        using var generator = new Generator((ulong)seed);
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal) || name.Contains("layernorm", StringComparison.Ordinal) ||
                name.Contains("layer_norm", StringComparison.Ordinal))
            {
                if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
                else p.FillInPlace(1.0);
            }
            else if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                p.zero_();
            }
            else if (name.Contains(".conv_stem.", StringComparison.Ordinal))
            {
                // Small-fan-in convolutions followed by GELU need He-style scaling; N(0, 0.02) would leave them
                // nearly linear and slow to learn.
                double fanIn = p.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                p.normal_(0.0, Math.Sqrt(2.0 / fanIn), generator);
            }
            else
            {
                p.normal_(0.0, std, generator);
            }
        }
    }
}
