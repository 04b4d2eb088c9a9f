using NpEdit.Transforms.Imaging;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// The oracle's eyes: recovers a <see cref="Scene"/> from an image of the default world, rendered or generated.
/// <list type="number">
/// <item>Background: the background colour that most pixels are nearest to.</item>
/// <item>Coverage: every pixel is unmixed into background plus one object colour (<see cref="ColorUnmixer"/>);
/// coverage of at least one half is foreground.</item>
/// <item>Objects: per grid cell, the heaviest 8-connected foreground component; objects whose total coverage is
/// under a quarter of a small circle's area are ignored.</item>
/// <item>Colour: the object colour whose blends explain the component's pixels with the least residual.</item>
/// <item>Shape and size: template matching against the renderer's own coverage (<see cref="ShapeMatcher"/>).</item>
/// <item>Cell: the cell the component lies in; jitter: the matched centre's offset from the cell centre.</item>
/// </list>
/// Parsed scenes may break <see cref="SceneRules"/> (two circles, no objects): that is what a bad edit looks like.
/// </summary>
public static class SceneParser
{
    private const float ForegroundAlpha = 0.5f;
    private const float MinMassInSmallCircles = 0.25f;
    private const int FringePx = 2;
    private const float OtherColorAlpha = 0.3f;

    public static Scene Parse(RgbImage image)
    {
        if (image.Width != image.Height) throw new ArgumentException($"Scenes are square; got {image.Width}x{image.Height}.", nameof(image));
        int size = image.Width;
        var background = DetectBackground(image);
        var unmixer = new ColorUnmixer(background, Palette.ObjectColors);
        var px = image.Pixels;
        int n = size * size;
        var alpha = new float[n];
        var foreground = new bool[n];
        for (int i = 0; i < n; i++)
        {
            var (_, a) = unmixer.Best(px[3 * i], px[3 * i + 1], px[3 * i + 2]);
            alpha[i] = a;
            foreground[i] = a >= ForegroundAlpha;
        }

        float smallCircleArea = MathF.PI * MathF.Pow(SceneRenderer.HalfExtentPx(SizeKind.Small, size), 2);
        var objects = new List<SceneObject>();
        foreach (var (row, col) in SceneLayout.AllCells())
        {
            var rect = SceneLayout.CellPixels(row, col, size);
            var (pixels, _) = CellSegmenter.Largest(foreground, alpha, size, rect);
            if (pixels.Count == 0) continue;
            int color = BestColor(unmixer, px, pixels);
            var coverage = ObjectCoverage(unmixer, color, px, size, rect, pixels);
            if (coverage.Sum() < MinMassInSmallCircles * smallCircleArea) continue;
            var match = ShapeMatcher.Best(coverage, rect, size);
            if (match is null) continue;
            var (cellX, cellY) = SceneLayout.CellCenter(row, col);
            objects.Add(new SceneObject(match.Shape, unmixer.Colors[color], match.Size, row, col,
                match.CenterX / size - cellX, match.CenterY / size - cellY));
        }
        return Scene.Create(background, objects);
    }

    /// <summary>Parses a <c>[3,H,W]</c> image tensor in [-1, 1] (quantised to 8 bits first, like a saved PNG).</summary>
    public static Scene Parse(Tensor image) => Parse(ImageTensors.ToRgbImage(image));

    private static PaletteColor DetectBackground(RgbImage image)
    {
        var all = Palette.BackgroundColors.Concat(Palette.ObjectColors).ToArray();
        var votes = new int[Palette.BackgroundColors.Count];
        var px = image.Pixels;
        for (int i = 0; i < px.Length; i += 3)
        {
            int nearest = 0, best = int.MaxValue;
            for (int k = 0; k < all.Length; k++)
            {
                int dr = px[i] - all[k].R, dg = px[i + 1] - all[k].G, db = px[i + 2] - all[k].B;
                int d = dr * dr + dg * dg + db * db;
                if (d < best) (nearest, best) = (k, d);
            }
            if (nearest < votes.Length) votes[nearest]++;
        }
        return Palette.BackgroundColors[Array.IndexOf(votes, votes.Max())];
    }

    private static int BestColor(ColorUnmixer unmixer, byte[] px, List<int> pixels)
    {
        int best = 0;
        double bestResidual = double.MaxValue;
        for (int k = 0; k < unmixer.Colors.Count; k++)
        {
            double residual = 0;
            foreach (int p in pixels) residual += unmixer.Residual(k, px[3 * p], px[3 * p + 1], px[3 * p + 2]);
            if (residual < bestResidual) (best, bestResidual) = (k, residual);
        }
        return best;
    }

    /// <summary>
    /// Coverage of the object's colour over the cell, restricted to the component and a fringe of
    /// <see cref="FringePx"/> pixels around it (where anti-aliasing and blur put the rest of its coverage; blur keeps
    /// the total, so the sum is the object's area however soft its edges). Pixels that clearly belong to another
    /// colour are zero: a purple neighbour's blurred rim would otherwise read as extra pink coverage.
    /// </summary>
    private static float[] ObjectCoverage(ColorUnmixer unmixer, int color, byte[] px, int size, (int X0, int Y0, int X1, int Y1) rect, List<int> component)
    {
        int width = rect.X1 - rect.X0;
        var coverage = new float[width * (rect.Y1 - rect.Y0)];
        var near = new bool[coverage.Length];
        foreach (int p in component)
        {
            int cx = p % size, cy = p / size;
            for (int y = Math.Max(rect.Y0, cy - FringePx); y <= Math.Min(rect.Y1 - 1, cy + FringePx); y++)
                for (int x = Math.Max(rect.X0, cx - FringePx); x <= Math.Min(rect.X1 - 1, cx + FringePx); x++)
                    near[(y - rect.Y0) * width + (x - rect.X0)] = true;
        }
        for (int i = 0; i < coverage.Length; i++)
        {
            if (!near[i]) continue;
            int p = (rect.Y0 + i / width) * size + rect.X0 + i % width;
            byte r = px[3 * p], g = px[3 * p + 1], b = px[3 * p + 2];
            var (best, bestAlpha) = unmixer.Best(r, g, b);
            if (best != color && bestAlpha >= OtherColorAlpha) continue;
            coverage[i] = unmixer.Alpha(color, r, g, b);
        }
        return coverage;
    }
}
