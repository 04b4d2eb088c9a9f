using NpEdit.Transforms.Imaging;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Ground-truth edit accuracy: parses an output image with <see cref="SceneParser"/>, checks it against the
/// source and target scenes (<see cref="EditCheck"/>), and compares pixels with the rendered target.
/// </summary>
public static class EditMetrics
{
    /// <summary>PSNR reported for identical images.</summary>
    public const double MaxPsnr = 100.0;

    public static EditScore Evaluate(RgbImage output, Scene source, Scene target, EditType type)
    {
        var parsed = SceneParser.Parse(output);
        var check = EditCheck.Of(parsed, source, target, type, out var failure);
        var expected = SceneRenderer.Render(target, output.Width);
        var region = EditRegion.Mask(source, target, type, output.Width);
        return new EditScore(check.EditSuccess, check.Preserved, check.Exact,
            Psnr(output, expected), MaskedL1(output, expected, region), parsed)
        {
            Failure = failure,
        };
    }

    /// <summary>Scores a <c>[3,H,W]</c> output tensor in [-1, 1] (quantised to 8 bits first).</summary>
    public static EditScore Evaluate(Tensor output, Scene source, Scene target, EditType type) =>
        Evaluate(ImageTensors.ToRgbImage(output), source, target, type);

    public static double Psnr(RgbImage a, RgbImage b)
    {
        RequireSameSize(a, b);
        double sum = 0;
        for (int i = 0; i < a.Pixels.Length; i++)
        {
            double d = a.Pixels[i] - b.Pixels[i];
            sum += d * d;
        }
        double mse = sum / a.Pixels.Length;
        return mse == 0 ? MaxPsnr : Math.Min(MaxPsnr, 10 * Math.Log10(255.0 * 255.0 / mse));
    }

    /// <summary>Mean |a - b| / 255 over the pixels where <paramref name="excluded"/> is false (0 when there are none).</summary>
    public static double MaskedL1(RgbImage a, RgbImage b, bool[] excluded)
    {
        RequireSameSize(a, b);
        double sum = 0;
        long count = 0;
        for (int p = 0; p < excluded.Length; p++)
        {
            if (excluded[p]) continue;
            for (int c = 0; c < 3; c++) sum += Math.Abs(a.Pixels[3 * p + c] - b.Pixels[3 * p + c]);
            count += 3;
        }
        return count == 0 ? 0 : sum / count / 255.0;
    }

    private static void RequireSameSize(RgbImage a, RgbImage b)
    {
        if (a.Width != b.Width || a.Height != b.Height)
        {
            throw new ArgumentException($"Images differ in size: {a.Width}x{a.Height} vs {b.Width}x{b.Height}.");
        }
    }
}
