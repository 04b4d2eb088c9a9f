namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Signed distance functions of the shapes, in units of the half-extent: every shape fits in [-1, 1]^2, y grows
/// downwards, negative inside. Coverage from the distance (0.5 minus the distance in pixels, clamped) is the
/// standard SDF anti-aliasing: exact for straight edges and a close approximation of a box filter at corners.
/// The renderer and the oracle's template matcher both use <see cref="Coverage"/>, so they agree pixel for pixel.
/// </summary>
internal static class ShapeGeometry
{
    // Square side 1.72: about the area of the unit circle, so neither reads as bigger at the same size.
    private const float SquareHalfSide = 0.86f;
    private const float RingMidRadius = 0.75f, RingHalfWidth = 0.25f;

    // Isoceles triangle filling the box, apex up.
    private static readonly (float X, float Y)[] Triangle = [(0f, -1f), (1f, 0.9f), (-1f, 0.9f)];

    // Five-pointed star, point up, inner radius half the outer (fat points survive 32 px), centred on its box.
    private static readonly (float X, float Y)[] Star = BuildStar(outer: 1.05f, inner: 0.525f);

    /// <summary>Fraction of the pixel at offset (<paramref name="dx"/>, <paramref name="dy"/>) pixels from the shape centre that the shape covers, for a half-extent in pixels.</summary>
    public static float Coverage(ShapeKind shape, float dx, float dy, float halfExtentPx)
    {
        float distancePx = SignedDistance(shape, dx / halfExtentPx, dy / halfExtentPx) * halfExtentPx;
        return Math.Clamp(0.5f - distancePx, 0f, 1f);
    }

    public static float SignedDistance(ShapeKind shape, float x, float y) => shape switch
    {
        ShapeKind.Circle => MathF.Sqrt(x * x + y * y) - 1f,
        ShapeKind.Square => Box(x, y, SquareHalfSide),
        ShapeKind.Triangle => Polygon(Triangle, x, y),
        ShapeKind.Star => Polygon(Star, x, y),
        ShapeKind.Ring => MathF.Abs(MathF.Sqrt(x * x + y * y) - RingMidRadius) - RingHalfWidth,
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
    };

    private static float Box(float x, float y, float half)
    {
        float qx = MathF.Abs(x) - half, qy = MathF.Abs(y) - half;
        float outside = MathF.Sqrt(MathF.Max(qx, 0) * MathF.Max(qx, 0) + MathF.Max(qy, 0) * MathF.Max(qy, 0));
        return outside + MathF.Min(MathF.Max(qx, qy), 0);
    }

    // Exact distance to a simple polygon with a crossing-number sign (after Inigo Quilez, "2D distance functions").
    private static float Polygon((float X, float Y)[] v, float px, float py)
    {
        float d = (px - v[0].X) * (px - v[0].X) + (py - v[0].Y) * (py - v[0].Y);
        float sign = 1f;
        for (int i = 0, j = v.Length - 1; i < v.Length; j = i, i++)
        {
            float ex = v[j].X - v[i].X, ey = v[j].Y - v[i].Y;
            float wx = px - v[i].X, wy = py - v[i].Y;
            float t = Math.Clamp((wx * ex + wy * ey) / (ex * ex + ey * ey), 0f, 1f);
            float bx = wx - ex * t, by = wy - ey * t;
            d = MathF.Min(d, bx * bx + by * by);
            bool c1 = py >= v[i].Y, c2 = py < v[j].Y, c3 = ex * wy > ey * wx;
            if ((c1 && c2 && c3) || (!c1 && !c2 && !c3)) sign = -sign;
        }
        return sign * MathF.Sqrt(d);
    }

    private static (float X, float Y)[] BuildStar(float outer, float inner)
    {
        // The tip is at -outer and the lowest points at outer*cos(36 deg): shift down to centre the box.
        float shift = (outer - outer * MathF.Cos(MathF.PI / 5)) / 2;
        var points = new (float X, float Y)[10];
        for (int k = 0; k < 10; k++)
        {
            float angle = -MathF.PI / 2 + k * MathF.PI / 5;
            float r = k % 2 == 0 ? outer : inner;
            points[k] = (r * MathF.Cos(angle), r * MathF.Sin(angle) + shift);
        }
        return points;
    }
}
