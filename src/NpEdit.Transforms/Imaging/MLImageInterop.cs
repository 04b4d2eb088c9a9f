using Microsoft.ML.Data;

namespace NpEdit.Transforms.Imaging;

/// <summary>
/// Conversions between ML.NET's <see cref="MLImage"/> and <see cref="RgbImage"/>. ML.NET's image loader disposes
/// the previous <see cref="MLImage"/> when the cursor moves, so pixels are always copied out, never referenced.
/// </summary>
public static class MLImageInterop
{
    /// <summary>Copies the pixels of an <see cref="MLImage"/> (Rgba32 or Bgra32; alpha composited over white).</summary>
    public static RgbImage ToRgbImage(MLImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int width = image.Width, height = image.Height;
        var source = image.Pixels;
        if (source.Length != width * height * 4)
        {
            throw new ArgumentException($"MLImage reports {width}x{height} but holds {source.Length} bytes; expected 4 bytes per pixel.", nameof(image));
        }
        bool bgra = image.PixelFormat == MLPixelFormat.Bgra32;
        var rgb = new byte[width * height * 3];
        for (int i = 0, o = 0; i < source.Length; i += 4, o += 3)
        {
            byte c0 = source[i], c1 = source[i + 1], c2 = source[i + 2], a = source[i + 3];
            byte r = bgra ? c2 : c0, b = bgra ? c0 : c2;
            if (a != 255)
            {
                r = (byte)((r * a + 255 * (255 - a) + 127) / 255);
                c1 = (byte)((c1 * a + 255 * (255 - a) + 127) / 255);
                b = (byte)((b * a + 255 * (255 - a) + 127) / 255);
            }
            rgb[o] = r; rgb[o + 1] = c1; rgb[o + 2] = b;
        }
        return new RgbImage(width, height, rgb);
    }

    /// <summary>Creates a new, opaque Rgba32 <see cref="MLImage"/>; the caller owns (and disposes) it.</summary>
    public static MLImage ToMLImage(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var rgba = new byte[image.Width * image.Height * 4];
        var rgb = image.Pixels;
        for (int i = 0, o = 0; i < rgb.Length; i += 3, o += 4)
        {
            rgba[o] = rgb[i]; rgba[o + 1] = rgb[i + 1]; rgba[o + 2] = rgb[i + 2]; rgba[o + 3] = 255;
        }
        return MLImage.CreateFromPixels(image.Width, image.Height, MLPixelFormat.Rgba32, rgba);
    }

    /// <summary>Decodes encoded image bytes (e.g. from <c>LoadRawImageBytes</c>) into an <see cref="MLImage"/> through the safe decoder.</summary>
    public static MLImage DecodeToMLImage(byte[] encoded, string input, ImageDecodeLimits? limits = null) =>
        ToMLImage(ImageDecoding.Decode(encoded, input, limits));
}
