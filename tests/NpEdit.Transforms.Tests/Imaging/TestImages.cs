using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace NpEdit.Transforms.Tests.Imaging;

/// <summary>Encoded test images made on the fly, so no binary fixtures live in the repository.</summary>
internal static class TestImages
{
    public static byte[] Encode<TPixel>(Image<TPixel> image, IImageEncoder encoder) where TPixel : unmanaged, IPixel<TPixel>
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    /// <summary>A 6x4 image, left half red, right half blue.</summary>
    public static Image<Rgba32> Halves()
    {
        var image = new Image<Rgba32>(6, 4);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 6; x++)
                image[x, y] = x < 3 ? new Rgba32(255, 0, 0) : new Rgba32(0, 0, 255);
        return image;
    }

    public static byte[] Png() { using var i = Halves(); return Encode(i, new PngEncoder()); }
    public static byte[] Bmp() { using var i = Halves(); return Encode(i, new BmpEncoder()); }
    public static byte[] Jpeg() { using var i = Halves(); return Encode(i, new JpegEncoder { Quality = 100 }); }
    public static byte[] WebpLossless() { using var i = Halves(); return Encode(i, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }); }

    public static byte[] Gif(int frames)
    {
        using var image = Halves();
        for (int f = 1; f < frames; f++)
        {
            using var other = new Image<Rgba32>(6, 4, new Rgba32(0, 255, 0));
            image.Frames.AddFrame(other.Frames.RootFrame);
        }
        return Encode(image, new GifEncoder());
    }

    /// <summary>A valid PNG signature and IHDR that claims a huge canvas, with no image data: a decompression-bomb header.</summary>
    public static byte[] PngHeaderClaiming(int width, int height)
    {
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
        using var stream = new MemoryStream();
        stream.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        WriteChunk(stream, "IHDR", ihdr);
        WriteChunk(stream, "IEND", Array.Empty<byte>());
        return stream.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        var len = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        stream.Write(len);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        var crc = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeBytes.Concat(data).ToArray()));
        stream.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
