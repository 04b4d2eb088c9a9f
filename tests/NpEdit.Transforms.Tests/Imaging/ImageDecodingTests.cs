using NpEdit.Transforms.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace NpEdit.Transforms.Tests.Imaging;

public sealed class ImageDecodingTests
{
    public static TheoryData<string, byte[]> LosslessFormats() => new()
    {
        { "png", TestImages.Png() },
        { "bmp", TestImages.Bmp() },
        { "gif", TestImages.Gif(1) },
        { "webp", TestImages.WebpLossless() },
    };

    [Theory]
    [MemberData(nameof(LosslessFormats))]
    public void Lossless_formats_decode_to_exact_rgb(string format, byte[] bytes)
    {
        var image = ImageDecoding.Decode(bytes, format);
        image.Width.Should().Be(6);
        image.Height.Should().Be(4);
        image.GetPixel(0, 0).Should().Be(((byte)255, (byte)0, (byte)0), format);
        image.GetPixel(5, 3).Should().Be(((byte)0, (byte)0, (byte)255), format);
    }

    [Fact]
    public void Jpeg_decodes_to_nearly_the_same_colours()
    {
        var image = ImageDecoding.Decode(TestImages.Jpeg(), "jpeg");
        var (r, g, b) = image.GetPixel(0, 1);
        r.Should().BeGreaterThan(200);
        b.Should().BeLessThan(60);
    }

    [Fact]
    public void Files_streams_and_bytes_decode_the_same()
    {
        var bytes = TestImages.Png();
        var path = Path.Combine(Path.GetTempPath(), $"npedit-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, bytes);
        try
        {
            var fromFile = ImageDecoding.DecodeFile(path);
            using var stream = new MemoryStream(bytes);
            var fromStream = ImageDecoding.Decode(stream, "stream");
            fromFile.Pixels.Should().Equal(fromStream.Pixels);
            fromFile.Pixels.Should().Equal(ImageDecoding.Decode(bytes, "bytes").Pixels);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Only_the_first_gif_frame_is_read()
    {
        var image = ImageDecoding.Decode(TestImages.Gif(3), "anim.gif");
        image.GetPixel(0, 0).Should().Be(((byte)255, (byte)0, (byte)0));
    }

    [Fact]
    public void Grayscale_palette_and_16_bit_inputs_become_rgb()
    {
        using var gray = new Image<L8>(2, 2, new L8(100));
        var g = ImageDecoding.Decode(TestImages.Encode(gray, new PngEncoder { ColorType = PngColorType.Grayscale }), "gray.png");
        g.GetPixel(1, 1).Should().Be(((byte)100, (byte)100, (byte)100));

        using var halves = TestImages.Halves();
        var p = ImageDecoding.Decode(TestImages.Encode(halves, new PngEncoder { ColorType = PngColorType.Palette }), "palette.png");
        p.GetPixel(0, 0).Should().Be(((byte)255, (byte)0, (byte)0));

        using var deep = new Image<Rgb48>(2, 2, new Rgb48(65535, 0, 32896));
        var d = ImageDecoding.Decode(TestImages.Encode(deep, new PngEncoder { BitDepth = PngBitDepth.Bit16 }), "deep.png");
        d.GetPixel(0, 0).Should().Be(((byte)255, (byte)0, (byte)128));
    }

    [Fact]
    public void Alpha_is_composited_over_the_background_colour()
    {
        using var image = new Image<Rgba32>(2, 1);
        image[0, 0] = new Rgba32(0, 0, 0, 0);
        image[1, 0] = new Rgba32(0, 0, 0, 128);
        var bytes = TestImages.Encode(image, new PngEncoder());
        var white = ImageDecoding.Decode(bytes, "alpha.png");
        white.GetPixel(0, 0).Should().Be(((byte)255, (byte)255, (byte)255));
        white.GetPixel(1, 0).R.Should().BeInRange(125, 128);
        var black = ImageDecoding.Decode(bytes, "alpha.png", new ImageDecodeLimits { AlphaBackground = (0, 0, 0) });
        black.GetPixel(0, 0).Should().Be(((byte)0, (byte)0, (byte)0));
    }

    [Fact]
    public void A_zero_byte_input_is_named_and_refused()
    {
        var act = () => ImageDecoding.Decode(Array.Empty<byte>(), "row 7, column Image");
        act.Should().Throw<ImageDecodeException>().WithMessage("row 7, column Image: is empty (0 bytes)")
            .Which.Input.Should().Be("row 7, column Image");
    }

    [Fact]
    public void Unknown_bytes_are_not_a_recognised_format()
    {
        var act = () => ImageDecoding.Decode(System.Text.Encoding.ASCII.GetBytes("hello, I am not an image"), "notes.txt");
        act.Should().Throw<ImageDecodeException>().WithMessage("notes.txt: is not a recognised image format*");
    }

    [Fact]
    public void A_corrupt_png_is_refused()
    {
        var bytes = TestImages.Png();
        for (int i = 40; i < bytes.Length - 12; i++) bytes[i] ^= 0x5A;
        var act = () => ImageDecoding.Decode(bytes, "corrupt.png");
        act.Should().Throw<ImageDecodeException>().WithMessage("corrupt.png: is corrupt or truncated*");
    }

    [Fact]
    public void A_truncated_png_is_refused()
    {
        using var big = new Image<Rgb24>(64, 64);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) big[x, y] = new Rgb24((byte)(x * 4), (byte)(y * 4), (byte)(x ^ y));
        var bytes = TestImages.Encode(big, new PngEncoder());
        var act = () => ImageDecoding.Decode(bytes[..(bytes.Length / 2)], "half.png");
        act.Should().Throw<ImageDecodeException>().WithMessage("half.png: is corrupt or truncated*");
    }

    [Fact]
    public void A_header_bomb_is_refused_before_decoding()
    {
        var bytes = TestImages.PngHeaderClaiming(60_000, 60_000);
        bytes.Length.Should().BeLessThan(100);
        var act = () => ImageDecoding.Decode(bytes, "bomb.png");
        act.Should().Throw<ImageDecodeException>().WithMessage("bomb.png: declares 60000x60000*over the limit*refused before decoding");
    }

    [Fact]
    public void Inputs_over_the_byte_limit_are_refused()
    {
        var act = () => ImageDecoding.Decode(TestImages.Png(), "big.png", new ImageDecodeLimits { MaxBytes = 10 });
        act.Should().Throw<ImageDecodeException>().WithMessage("big.png: is * bytes, over the limit of 10");
        using var stream = new MemoryStream(new byte[1000]);
        var act2 = () => ImageDecoding.Decode(stream, "stream", new ImageDecodeLimits { MaxBytes = 100 });
        act2.Should().Throw<ImageDecodeException>().WithMessage("*over the limit of 100");
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var act = () => ImageDecoding.DecodeFile("/nonexistent/dir/x.png");
        act.Should().Throw<ImageDecodeException>().WithMessage("/nonexistent/dir/x.png: file not found");
    }
}
