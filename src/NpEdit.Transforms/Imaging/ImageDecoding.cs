using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;

namespace NpEdit.Transforms.Imaging;

/// <summary>
/// Safe decoding of PNG, JPEG, BMP, GIF, WebP (and TIFF, TGA, PBM, which ImageSharp also reads) into RGB.
/// Size limits are enforced before decoding; only the first frame of animations is read; grayscale,
/// palette, 16-bit and alpha inputs become 8-bit RGB (alpha composited over a background colour).
/// </summary>
public static class ImageDecoding
{
    private static readonly Configuration FirstFrameConfiguration = CreateConfiguration();

    public static RgbImage DecodeFile(string path, ImageDecodeLimits? limits = null)
    {
        limits ??= ImageDecodeLimits.Default;
        FileInfo info = new(path);
        if (!info.Exists)
        {
            throw new ImageDecodeException(path, "file not found");
        }
        CheckByteLength(path, info.Length, limits);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            throw new ImageDecodeException(path, $"could not be read ({ex.Message})", ex);
        }
        return Decode(bytes, path, limits);
    }

    public static RgbImage Decode(Stream stream, string input, ImageDecodeLimits? limits = null)
    {
        limits ??= ImageDecodeLimits.Default;
        using var copy = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            copy.Write(buffer, 0, read);
            CheckByteLength(input, copy.Length, limits);
        }
        return Decode(copy.ToArray(), input, limits);
    }

    public static RgbImage Decode(ReadOnlySpan<byte> bytes, string input, ImageDecodeLimits? limits = null) =>
        Decode(bytes.ToArray(), input, limits);

    public static RgbImage Decode(byte[] bytes, string input, ImageDecodeLimits? limits = null)
    {
        limits ??= ImageDecodeLimits.Default;
        CheckByteLength(input, bytes.Length, limits);
        if (bytes.Length == 0)
        {
            throw new ImageDecodeException(input, "is empty (0 bytes)");
        }

        IImageInfo? info;
        IImageFormat? format;
        try
        {
            info = Image.Identify(FirstFrameConfiguration, bytes, out format);
        }
        catch (Exception ex) when (IsDecoderFailure(ex))
        {
            throw new ImageDecodeException(input, $"is corrupt or truncated: the header could not be read ({ex.Message})", ex);
        }
        if (info is null || format is null)
        {
            throw new ImageDecodeException(input, "is not a recognised image format (PNG, JPEG, BMP, GIF, WebP, TIFF, TGA, PBM)");
        }
        if (info.Width <= 0 || info.Height <= 0)
        {
            throw new ImageDecodeException(input, $"declares an empty canvas ({info.Width}x{info.Height})");
        }
        long pixels = (long)info.Width * info.Height;
        if (pixels > limits.MaxPixels)
        {
            throw new ImageDecodeException(input,
                $"declares {info.Width}x{info.Height} = {pixels:N0} pixels, over the limit of {limits.MaxPixels:N0}; refused before decoding");
        }

        try
        {
            using var image = Image.Load<Rgba32>(FirstFrameConfiguration, bytes);
            return ToRgb(image, limits.AlphaBackground);
        }
        catch (Exception ex) when (IsDecoderFailure(ex))
        {
            throw new ImageDecodeException(input, $"is corrupt or truncated {format.Name} data ({ex.Message})", ex);
        }
    }

    private static RgbImage ToRgb(Image<Rgba32> image, (byte R, byte G, byte B) background)
    {
        int width = image.Width, height = image.Height;
        var rgb = new byte[width * height * 3];
        image.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                int o = y * width * 3;
                for (int x = 0; x < row.Length; x++, o += 3)
                {
                    var p = row[x];
                    if (p.A == 255)
                    {
                        rgb[o] = p.R; rgb[o + 1] = p.G; rgb[o + 2] = p.B;
                    }
                    else
                    {
                        rgb[o] = Blend(p.R, background.R, p.A);
                        rgb[o + 1] = Blend(p.G, background.G, p.A);
                        rgb[o + 2] = Blend(p.B, background.B, p.A);
                    }
                }
            }
        });
        return new RgbImage(width, height, rgb);
    }

    private static byte Blend(byte fg, byte bg, byte alpha) => (byte)((fg * alpha + bg * (255 - alpha) + 127) / 255);

    private static void CheckByteLength(string input, long length, ImageDecodeLimits limits)
    {
        if (length > limits.MaxBytes)
        {
            throw new ImageDecodeException(input, $"is {length:N0} bytes, over the limit of {limits.MaxBytes:N0}");
        }
    }

    private static bool IsDecoderFailure(Exception ex) =>
        ex is ImageFormatException or NotSupportedException or InvalidDataException or IndexOutOfRangeException
            or ArgumentException or EndOfStreamException or InvalidOperationException or OverflowException;

    private static Configuration CreateConfiguration()
    {
        var configuration = Configuration.Default.Clone();
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }
}
