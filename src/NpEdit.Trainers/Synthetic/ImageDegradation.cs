using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// The degradations the oracle must survive, a stand-in for what generated images look like: a 3x3 box blur
/// (edges replicated) and additive Gaussian noise given in [-1, 1] pixel units (sigma 0.05 is about 6.4 grey levels),
/// clamped and rounded back to 8 bits.
/// </summary>
public static class ImageDegradation
{
    public static RgbImage BoxBlur3(RgbImage image)
    {
        int w = image.Width, h = image.Height;
        var src = image.Pixels;
        var dst = new byte[src.Length];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    int sum = 0;
                    for (int dy = -1; dy <= 1; dy++)
                    {
                        int yy = Math.Clamp(y + dy, 0, h - 1);
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            int xx = Math.Clamp(x + dx, 0, w - 1);
                            sum += src[(yy * w + xx) * 3 + c];
                        }
                    }
                    dst[(y * w + x) * 3 + c] = (byte)((sum + 4) / 9);
                }
            }
        }
        return new RgbImage(w, h, dst);
    }

    /// <summary>Adds N(0, sigma^2) per channel, sigma in [-1, 1] units (so 127.5 * sigma grey levels).</summary>
    public static RgbImage AddGaussianNoise(RgbImage image, double sigma, Random rng)
    {
        var src = image.Pixels;
        var dst = new byte[src.Length];
        double scale = 127.5 * sigma;
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] = (byte)Math.Clamp(Math.Round(src[i] + scale * rng.Gaussian()), 0, 255);
        }
        return new RgbImage(image.Width, image.Height, dst);
    }

    /// <summary>Blur, then noise (noise after blur is the harder order: nothing smooths it away).</summary>
    public static RgbImage BlurAndNoise(RgbImage image, double sigma, Random rng) => AddGaussianNoise(BoxBlur3(image), sigma, rng);
}
