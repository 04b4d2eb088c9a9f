using NpEdit.Transforms.Models;

namespace NpEdit.Trainers.Benchmarks;

/// <summary>
/// Analytic FLOP counts (one multiply-add = 2 FLOPs) of the flow model's forward pass. A training step is counted
/// as 3× forward (backward ≈ 2× forward); element-wise work, norms and the optimizer are not counted, as is usual
/// for model-FLOP utilisation.
/// </summary>
public static class FlopCounter
{
    public static double TextEncoderForward(TextEncoderConfig c, int batch)
    {
        double l = c.MaxLength, h = c.Hidden;
        double perLayer = l * 2 * h * (3 * h + h + 4 * h + 4 * h) + 4 * l * l * h;
        return batch * c.Depth * perLayer;
    }

    public static double TransformerForward(FlowDiTConfig c, int textLength, bool withReference, int batch)
    {
        double h = c.Hidden, mlp = c.Hidden * c.MlpRatio, t = c.TokensPerImage;
        double images = withReference ? 2 : 1;
        double n = textLength + images * t;
        double embed = images * t * 2 * c.PatchDim * h + textLength * 2 * c.TextHidden * h;
        double perBlock = n * 2 * h * (3 * h + h) + n * 2 * 2 * h * mlp + 4 * n * n * h;
        double output = t * 2 * h * c.PatchDim;
        return batch * (embed + c.Depth * perBlock + output);
    }

    public static double TrainingStep(FlowModelConfig c, int batch, bool withReference = false) =>
        3 * (TextEncoderForward(c.Text, batch) + TransformerForward(c.Transformer, c.Text.MaxLength, withReference, batch));
}
