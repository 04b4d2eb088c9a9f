using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace NpEdit.Transforms.Imaging;

/// <summary>PNG encoding of <see cref="RgbImage"/>s.</summary>
public static class ImageEncoding
{
    private static readonly PngEncoder Encoder = new() { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 };

    public static byte[] EncodePng(RgbImage image)
    {
        using var img = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
        using var stream = new MemoryStream();
        img.Save(stream, Encoder);
        return stream.ToArray();
    }

    public static void SavePng(RgbImage image, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        File.WriteAllBytes(path, EncodePng(image));
    }
}
