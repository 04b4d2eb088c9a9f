namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Where things go, in units of the image side (0..1) so one layout serves 32, 64 and 128 px. Each object stays
/// inside its own grid cell with a margin: objects can never overlap, and the oracle can segment cell by cell even
/// when blur lets two neighbours touch. At 32 px a large object is about 9 px across and a small one about 6.4 px,
/// the smallest sizes at which a star and a ring still read as a star and a ring.
/// </summary>
public static class SceneLayout
{
    /// <summary>The grid is GridSize x GridSize cells.</summary>
    public const int GridSize = 3;

    /// <summary>Most objects in a scene.</summary>
    public const int MaxObjects = 3;

    /// <summary>Half the extent of a large object's bounding box (4.6 px at 32 px).</summary>
    public const float LargeHalfExtent = 4.6f / 32f;

    /// <summary>Half the extent of a small object's bounding box (3.2 px at 32 px).</summary>
    public const float SmallHalfExtent = 3.2f / 32f;

    /// <summary>Gap every object keeps from its cell's border (0.5 px at 32 px).</summary>
    public const float CellMargin = 0.5f / 32f;

    public const float CellSide = 1f / GridSize;

    public static float HalfExtent(SizeKind size) => size == SizeKind.Large ? LargeHalfExtent : SmallHalfExtent;

    /// <summary>Largest |jitter| on each axis that keeps an object of this size inside its cell with the margin.</summary>
    public static float MaxJitter(SizeKind size) => CellSide / 2 - HalfExtent(size) - CellMargin;

    /// <summary>Centre of a cell, as fractions of the image side (x from the left, y from the top).</summary>
    public static (float X, float Y) CellCenter(int row, int col) => ((col + 0.5f) * CellSide, (row + 0.5f) * CellSide);

    /// <summary>Centre of an object including its jitter, as fractions of the image side.</summary>
    public static (float X, float Y) Center(SceneObject o)
    {
        var (x, y) = CellCenter(o.Row, o.Col);
        return (x + o.JitterX, y + o.JitterY);
    }

    /// <summary>Pixel rectangle [X0, X1) x [Y0, Y1) of a cell at an image size; neighbouring rectangles share a pixel when the side is not divisible by 3.</summary>
    public static (int X0, int Y0, int X1, int Y1) CellPixels(int row, int col, int size)
    {
        int x0 = (int)Math.Floor(col * CellSide * size), x1 = (int)Math.Ceiling((col + 1) * CellSide * size);
        int y0 = (int)Math.Floor(row * CellSide * size), y1 = (int)Math.Ceiling((row + 1) * CellSide * size);
        return (x0, y0, Math.Min(x1, size), Math.Min(y1, size));
    }

    /// <summary>The same object with its jitter pulled back into the range its (possibly new) size allows.</summary>
    public static SceneObject ClampJitter(SceneObject o)
    {
        float max = MaxJitter(o.Size);
        return o with { JitterX = Math.Clamp(o.JitterX, -max, max), JitterY = Math.Clamp(o.JitterY, -max, max) };
    }

    public static IEnumerable<(int Row, int Col)> AllCells()
    {
        for (int row = 0; row < GridSize; row++)
            for (int col = 0; col < GridSize; col++)
                yield return (row, col);
    }
}
