namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Recognises shape and size by analysis by synthesis: for each shape, size, and with or without a 3x3 blur, it
/// renders the coverage the renderer would produce, centred so its centroid lands on the observed centroid, and
/// keeps the hypothesis with the smallest squared error against the observed coverage. Using the renderer's own
/// coverage function makes clean renders match exactly; the blurred variant absorbs soft, generated-looking edges.
/// </summary>
internal static class ShapeMatcher
{
    // Coverage below this is ignored when taking centroids, so background noise cannot pull them around.
    private const float CentroidThreshold = 0.2f;

    public sealed record Match(ShapeKind Shape, SizeKind Size, float CenterX, float CenterY, float Error);

    /// <summary>The best hypothesis for the coverage <paramref name="observed"/> over the window (row-major, window-sized), or null when the window is empty.</summary>
    public static Match? Best(float[] observed, (int X0, int Y0, int X1, int Y1) window, int imageSize)
    {
        var (ox, oy, mass) = Centroid(observed, window);
        if (mass <= 0) return null;
        var template = new float[observed.Length];
        Match? best = null;
        foreach (var shape in Enum.GetValues<ShapeKind>())
        {
            foreach (var size in Enum.GetValues<SizeKind>())
            {
                float h = SceneRenderer.HalfExtentPx(size, imageSize);
                foreach (bool blurred in (ReadOnlySpan<bool>)[false, true])
                {
                    // Two passes: place at the observed centroid, then shift by the template's own centroid offset
                    // (a triangle's or star's centroid is not its box centre).
                    RenderTemplate(template, shape, h, ox, oy, window, blurred);
                    var (tx, ty, tmass) = Centroid(template, window);
                    float cx = tmass > 0 ? 2 * ox - tx : ox, cy = tmass > 0 ? 2 * oy - ty : oy;
                    RenderTemplate(template, shape, h, cx, cy, window, blurred);
                    float error = SquaredError(observed, template);
                    if (best is null || error < best.Error) best = new Match(shape, size, cx, cy, error);
                }
            }
        }
        return best;
    }

    private static void RenderTemplate(float[] target, ShapeKind shape, float h, float cx, float cy, (int X0, int Y0, int X1, int Y1) w, bool blurred)
    {
        int width = w.X1 - w.X0, height = w.Y1 - w.Y0;
        if (!blurred)
        {
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    target[y * width + x] = ShapeGeometry.Coverage(shape, w.X0 + x + 0.5f - cx, w.Y0 + y + 0.5f - cy, h);
            return;
        }
        // Render one pixel beyond the window on every side so the box blur sees true coverage at the window's edge.
        int pw = width + 2, ph = height + 2;
        var padded = new float[pw * ph];
        for (int y = 0; y < ph; y++)
            for (int x = 0; x < pw; x++)
                padded[y * pw + x] = ShapeGeometry.Coverage(shape, w.X0 + x - 1 + 0.5f - cx, w.Y0 + y - 1 + 0.5f - cy, h);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                float sum = 0;
                for (int dy = 0; dy < 3; dy++)
                    for (int dx = 0; dx < 3; dx++)
                        sum += padded[(y + dy) * pw + x + dx];
                target[y * width + x] = sum / 9f;
            }
        }
    }

    private static (float X, float Y, float Mass) Centroid(float[] values, (int X0, int Y0, int X1, int Y1) w)
    {
        int width = w.X1 - w.X0;
        double sx = 0, sy = 0, m = 0;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (v <= CentroidThreshold) continue;
            sx += v * (w.X0 + i % width + 0.5);
            sy += v * (w.Y0 + i / width + 0.5);
            m += v;
        }
        return m > 0 ? ((float)(sx / m), (float)(sy / m), (float)m) : (0, 0, 0);
    }

    private static float SquaredError(float[] a, float[] b)
    {
        float sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            float d = a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }
}
