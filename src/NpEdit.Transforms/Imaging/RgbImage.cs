namespace NpEdit.Transforms.Imaging;

/// <summary>
/// An owned 8-bit RGB image (row-major, 3 bytes per pixel). The plain exchange format between decoded files,
/// ML.NET's <c>MLImage</c> and tensors: it holds no native handle, so it may outlive any cursor.
/// </summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"Image size must be positive, got {width}x{height}.");
        }
        if (pixels.Length != checked(width * height * 3))
        {
            throw new ArgumentException($"Expected {width * height * 3} bytes for a {width}x{height} RGB image, got {pixels.Length}.", nameof(pixels));
        }
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    /// <summary>R, G, B bytes per pixel, row after row.</summary>
    public byte[] Pixels { get; }

    public static RgbImage Filled(int width, int height, byte r, byte g, byte b)
    {
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = r;
            pixels[i + 1] = g;
            pixels[i + 2] = b;
        }
        return new RgbImage(width, height, pixels);
    }

    public (byte R, byte G, byte B) GetPixel(int x, int y)
    {
        int i = (y * Width + x) * 3;
        return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
    }

    public void SetPixel(int x, int y, byte r, byte g, byte b)
    {
        int i = (y * Width + x) * 3;
        Pixels[i] = r;
        Pixels[i + 1] = g;
        Pixels[i + 2] = b;
    }
}
