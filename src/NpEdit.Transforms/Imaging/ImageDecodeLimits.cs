namespace NpEdit.Transforms.Imaging;

/// <summary>
/// Limits checked before an image is decoded: the encoded size, then the pixel count read from the header,
/// so a small file that claims a huge canvas (a decompression bomb) is refused without allocating it.
/// </summary>
public sealed record ImageDecodeLimits
{
    public static readonly ImageDecodeLimits Default = new();

    /// <summary>Largest encoded input accepted, in bytes (default 64 MiB).</summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Largest width x height accepted (default 40 megapixels).</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    /// <summary>The colour that transparent pixels are composited over (default white).</summary>
    public (byte R, byte G, byte B) AlphaBackground { get; init; } = (255, 255, 255);
}
