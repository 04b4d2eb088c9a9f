using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Imaging;

/// <summary>
/// Image tensors: float32, channels first, values in [-1, 1] (<c>[3,H,W]</c> or batched <c>[B,3,H,W]</c>).
/// Resizing and cropping happen on tensors so they stay differentiable when a loss needs them to.
/// </summary>
public static class ImageTensors
{
    // Scalars held for the process's lifetime: an implicitly converted one can be finalized by the GC while libtorch
    // still reads it (TorchSharp 0.107; seen as "Unknown scalar type" crashes in hour-long runs), and this runs per image.
    private static readonly Scalar Half = 127.5.ToScalar();
    private static readonly Scalar One = 1.0.ToScalar();

    /// <summary><c>[3,H,W]</c> in [-1, 1] from 8-bit RGB (0 maps to -1, 255 to 1).</summary>
    public static Tensor ToTensor(RgbImage image, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var bytes = torch.tensor(image.Pixels, dtype: ScalarType.Byte).view(image.Height, image.Width, 3);
        var result = bytes.permute(2, 0, 1).to(ScalarType.Float32).div_(Half).sub_(One);
        if (device is not null) result = result.to(device);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary><c>[B,3,H,W]</c>; every image must have the same size (resize first otherwise).</summary>
    public static Tensor ToBatch(IReadOnlyList<RgbImage> images, Device? device = null)
    {
        if (images.Count == 0) throw new ArgumentException("At least one image is needed.", nameof(images));
        var first = images[0];
        for (int i = 1; i < images.Count; i++)
        {
            if (images[i].Width != first.Width || images[i].Height != first.Height)
            {
                throw new ArgumentException(
                    $"Image {i} is {images[i].Width}x{images[i].Height} but image 0 is {first.Width}x{first.Height}; resize before batching.", nameof(images));
            }
        }
        using var scope = NewDisposeScope();
        var stacked = torch.stack(images.Select(img => ToTensor(img)).ToArray());
        if (device is not null) stacked = stacked.to(device);
        return stacked.MoveToOuterDisposeScope();
    }

    /// <summary>8-bit RGB from a <c>[3,H,W]</c> tensor in [-1, 1] (clamped, rounded to nearest).</summary>
    public static RgbImage ToRgbImage(Tensor image)
    {
        if (image.dim() != 3 || image.shape[0] != 3)
        {
            throw new ArgumentException($"Expected a [3,H,W] tensor, got [{string.Join(",", image.shape)}].", nameof(image));
        }
        using var scope = NewDisposeScope();
        int height = (int)image.shape[1], width = (int)image.shape[2];
        var bytes = image.detach().to(ScalarType.Float32).cpu().Clamp(-1, 1).Add(1).Mul(127.5).round()
            .to(ScalarType.Byte).permute(1, 2, 0).contiguous();
        var pixels = new byte[width * height * 3];
        bytes.bytes.CopyTo(pixels);
        return new RgbImage(width, height, pixels);
    }

    /// <summary>Each image of a <c>[B,3,H,W]</c> batch as 8-bit RGB.</summary>
    public static IReadOnlyList<RgbImage> ToRgbImages(Tensor batch)
    {
        if (batch.dim() != 4) throw new ArgumentException($"Expected [B,3,H,W], got [{string.Join(",", batch.shape)}].", nameof(batch));
        var result = new List<RgbImage>((int)batch.shape[0]);
        for (long i = 0; i < batch.shape[0]; i++)
        {
            using var item = batch[i];
            result.Add(ToRgbImage(item));
        }
        return result;
    }

    /// <summary>Resizes <c>[3,H,W]</c> or <c>[B,3,H,W]</c> to exactly <paramref name="height"/> x <paramref name="width"/>.
    /// Downscaling is antialiased for bilinear and bicubic; values are clamped back to [-1, 1] after bicubic overshoot.</summary>
    public static Tensor Resize(Tensor image, int height, int width, ResizeMode mode = ResizeMode.Bicubic)
    {
        bool single = image.dim() == 3;
        using var scope = NewDisposeScope();
        var batch = single ? image.unsqueeze(0) : image;
        if (batch.shape[2] == height && batch.shape[3] == width)
        {
            return (single ? batch.squeeze(0) : batch).alias().MoveToOuterDisposeScope();
        }
        bool downscale = batch.shape[2] > height || batch.shape[3] > width;
        var interpolation = mode switch
        {
            ResizeMode.Bilinear => InterpolationMode.Bilinear,
            ResizeMode.Bicubic => InterpolationMode.Bicubic,
            _ => InterpolationMode.Nearest,
        };
        Tensor resized = mode == ResizeMode.Nearest
            ? nn.functional.interpolate(batch, new long[] { height, width }, mode: interpolation)
            : nn.functional.interpolate(batch, new long[] { height, width }, mode: interpolation, align_corners: false, antialias: downscale);
        if (mode == ResizeMode.Bicubic) resized = resized.Clamp(-1, 1);
        return (single ? resized.squeeze(0) : resized).MoveToOuterDisposeScope();
    }

    /// <summary>The central <paramref name="height"/> x <paramref name="width"/> window (input must be at least that large).</summary>
    public static Tensor CenterCrop(Tensor image, int height, int width)
    {
        long h = image.shape[^2], w = image.shape[^1];
        if (h < height || w < width)
        {
            throw new ArgumentException($"Cannot crop {h}x{w} to {height}x{width}.", nameof(image));
        }
        long top = (h - height) / 2, left = (w - width) / 2;
        return image.narrow(-2, top, height).narrow(-1, left, width);
    }

    /// <summary>Scales the shorter side to the target and crops the centre: the aspect ratio is kept, nothing is stretched.</summary>
    public static Tensor ResizeAndCenterCrop(Tensor image, int height, int width, ResizeMode mode = ResizeMode.Bicubic)
    {
        long h = image.shape[^2], w = image.shape[^1];
        double scale = Math.Max((double)height / h, (double)width / w);
        int scaledH = Math.Max(height, (int)Math.Round(h * scale));
        int scaledW = Math.Max(width, (int)Math.Round(w * scale));
        using var scope = NewDisposeScope();
        var resized = Resize(image, scaledH, scaledW, mode);
        return CenterCrop(resized, height, width).contiguous().MoveToOuterDisposeScope();
    }
}
