using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Perturbations that make clean renders look like generator output, drawn independently for every training
/// image: a shift of a pixel, a small colour jitter, a Gaussian blur and Gaussian noise. Why: NP-Edit asks the
/// judge about imperfect images, and a judge that only ever saw clean renders can be fooled by noise, which would
/// teach the editor to produce noise. Strengths stay below what changes an answer (a 1 px shift on a 32 px image
/// stays in its grid cell; colour offsets stay far from the palette's neighbours). The batch is processed with a
/// handful of whole-batch tensor ops: per-image loops of small ops cost more than the judge's forward pass.
/// </summary>
public sealed record JudgeAugmentation
{
    /// <summary>Probability that an image is augmented at all (clean renders stay in the mix).</summary>
    public double Probability { get; init; } = 0.8;
    public int MaxShiftPixels { get; init; } = 1;
    public double MaxNoiseSigma { get; init; } = 0.12;
    public double BlurProbability { get; init; } = 0.4;
    public double MaxBlurSigma { get; init; } = 0.9;
    /// <summary>Brightness offset range, in [-1,1] pixel units; per-channel offsets get half of it.</summary>
    public double MaxColorShift { get; init; } = 0.06;
    /// <summary>Contrast factor range is 1 ± this.</summary>
    public double MaxContrast { get; init; } = 0.1;

    public static JudgeAugmentation None { get; } = new() { Probability = 0 };

    /// <summary>A perturbed copy of <paramref name="images"/> (<c>[N,3,H,W]</c> in [-1,1]); deterministic given the two generators.</summary>
    public Tensor Apply(Tensor images, Random random, Generator generator)
    {
        int n = (int)images.shape[0];
        long c = images.shape[1], h = images.shape[2], w = images.shape[3];
        // Draw every random number first, in a fixed order, so the result depends only on the generators.
        var on = new bool[n];
        var shifts = new (int Dy, int Dx)[n];
        var contrast = new float[n];
        var brightness = new float[n];
        var channel = new float[n * c];
        var blurSigma = new double[n];
        var noise = new float[n];
        for (int i = 0; i < n; i++)
        {
            on[i] = random.NextDouble() < Probability;
            if (!on[i]) { contrast[i] = 1f; continue; }
            shifts[i] = (random.Next(-MaxShiftPixels, MaxShiftPixels + 1), random.Next(-MaxShiftPixels, MaxShiftPixels + 1));
            contrast[i] = (float)(1 + (random.NextDouble() * 2 - 1) * MaxContrast);
            brightness[i] = (float)((random.NextDouble() * 2 - 1) * MaxColorShift);
            for (int k = 0; k < c; k++) channel[i * c + k] = (float)((random.NextDouble() * 2 - 1) * MaxColorShift * 0.5);
            blurSigma[i] = random.NextDouble() < BlurProbability ? 0.3 + random.NextDouble() * (MaxBlurSigma - 0.3) : 0;
            noise[i] = (float)(random.NextDouble() * MaxNoiseSigma);
        }
        if (!on.Any()) return images.alias();

        using var scope = NewDisposeScope();
        var device = images.device;
        var x = Shift(images, shifts);
        x = x.mul(torch.tensor(contrast, device: device).view(n, 1, 1, 1))
             .Add(torch.tensor(brightness, device: device).view(n, 1, 1, 1))
             .Add(torch.tensor(channel, device: device).view(n, c, 1, 1));
        x = Blur(x, blurSigma);
        x = x.Add(torch.randn(new[] { (long)n, c, h, w }, generator: generator, device: device).mul(torch.tensor(noise, device: device).view(n, 1, 1, 1)));
        var keep = torch.tensor(on, device: device).view(n, 1, 1, 1);
        return torch.where(keep, x.Clamp(-1, 1), images).MoveToOuterDisposeScope();
    }

    // Edge pixels are replicated (the background extends), so a shift never invents a border colour. Images with
    // the same offset are cut out of the padded batch together.
    private Tensor Shift(Tensor images, (int Dy, int Dx)[] shifts)
    {
        int m = MaxShiftPixels;
        if (m == 0 || shifts.All(s => s == (0, 0))) return images;
        long h = images.shape[2], w = images.shape[3];
        var padded = nn.functional.pad(images, new long[] { m, m, m, m }, PaddingModes.Replicate);
        var result = images.clone();
        foreach (var group in Enumerable.Range(0, shifts.Length).GroupBy(i => shifts[i]))
        {
            var index = torch.tensor(group.Select(i => (long)i).ToArray(), device: images.device);
            var window = padded.index_select(0, index).narrow(2, m - group.Key.Dy, h).narrow(3, m - group.Key.Dx, w);
            result = result.index_copy(0, index, window);
        }
        return result;
    }

    // One 3x3 Gaussian per image (identity where sigma is 0), applied as a single grouped convolution.
    private static Tensor Blur(Tensor images, double[] sigmas)
    {
        if (sigmas.All(s => s == 0)) return images;
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        var kernels = new float[n * 9];
        for (int i = 0; i < n; i++)
        {
            if (sigmas[i] == 0) { kernels[i * 9 + 4] = 1f; continue; }
            var taps = new double[3];
            for (int k = -1; k <= 1; k++) taps[k + 1] = Math.Exp(-k * k / (2 * sigmas[i] * sigmas[i]));
            double sum = taps.Sum();
            for (int r = 0; r < 3; r++)
                for (int q = 0; q < 3; q++)
                    kernels[i * 9 + r * 3 + q] = (float)(taps[r] * taps[q] / (sum * sum));
        }
        var weight = torch.tensor(kernels, device: images.device).view(n, 1, 1, 3, 3).expand(n, c, 1, 3, 3).reshape(n * c, 1, 3, 3);
        var padded = nn.functional.pad(images, new long[] { 1, 1, 1, 1 }, PaddingModes.Replicate).reshape(1, n * c, h + 2, w + 2);
        return nn.functional.conv2d(padded, weight, groups: n * c).view(n, c, h, w);
    }
}
