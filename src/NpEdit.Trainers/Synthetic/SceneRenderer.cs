using NpEdit.Transforms.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Draws scenes: background fill, then each object blended over it with its anti-aliased coverage
/// (see <see cref="ShapeGeometry"/>). Any square size works; 32 is the world's default, 64 and 128 are supported.
/// Objects never overlap (each stays in its cell), so drawing order does not matter.
/// </summary>
public static class SceneRenderer
{
    public const int DefaultSize = 32;

    public static RgbImage Render(Scene scene, int size = DefaultSize)
    {
        if (size < 8) throw new ArgumentOutOfRangeException(nameof(size), size, "Scenes need at least 8x8 pixels.");
        var pixels = new float[size * size * 3];
        var bg = scene.Background;
        for (int i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = bg.R; pixels[i + 1] = bg.G; pixels[i + 2] = bg.B;
        }
        foreach (var o in scene.Objects) Draw(pixels, size, o);
        var bytes = new byte[pixels.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Math.Clamp(MathF.Round(pixels[i]), 0, 255);
        return new RgbImage(size, size, bytes);
    }

    /// <summary><c>[3,size,size]</c> float in [-1, 1], the pixels of <see cref="Render"/> (so PNG and tensor agree).</summary>
    public static Tensor RenderTensor(Scene scene, int size = DefaultSize, Device? device = null) =>
        ImageTensors.ToTensor(Render(scene, size), device);

    /// <summary><c>[B,3,size,size]</c> float in [-1, 1].</summary>
    public static Tensor RenderBatch(IReadOnlyList<Scene> scenes, int size = DefaultSize, Device? device = null) =>
        ImageTensors.ToBatch(scenes.Select(s => Render(s, size)).ToArray(), device);

    /// <summary>Object centre in pixel coordinates (pixel centres sit at +0.5).</summary>
    internal static (float X, float Y) CenterPx(SceneObject o, int size)
    {
        var (x, y) = SceneLayout.Center(o);
        return (x * size, y * size);
    }

    internal static float HalfExtentPx(SizeKind s, int size) => SceneLayout.HalfExtent(s) * size;

    private static void Draw(float[] pixels, int size, SceneObject o)
    {
        var (cx, cy) = CenterPx(o, size);
        float h = HalfExtentPx(o.Size, size);
        int x0 = Math.Max(0, (int)MathF.Floor(cx - h - 1)), x1 = Math.Min(size - 1, (int)MathF.Ceiling(cx + h + 1));
        int y0 = Math.Max(0, (int)MathF.Floor(cy - h - 1)), y1 = Math.Min(size - 1, (int)MathF.Ceiling(cy + h + 1));
        for (int y = y0; y <= y1; y++)
        {
            for (int x = x0; x <= x1; x++)
            {
                float c = ShapeGeometry.Coverage(o.Shape, x + 0.5f - cx, y + 0.5f - cy, h);
                if (c <= 0f) continue;
                int i = (y * size + x) * 3;
                pixels[i] += c * (o.Color.R - pixels[i]);
                pixels[i + 1] += c * (o.Color.G - pixels[i + 1]);
                pixels[i + 2] += c * (o.Color.B - pixels[i + 2]);
            }
        }
    }
}
