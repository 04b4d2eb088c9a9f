namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// The pixels an edit is allowed to change. For an object edit: the grid cells of the edited object before and
/// after the edit (objects never leave their cell, so everything else must stay as it was). For a background
/// edit: every pixel whose rendered colour differs between source and target, i.e. all of the background and
/// the anti-aliased rims of objects, leaving the objects' interiors outside. For do-nothing: no pixel.
/// </summary>
public static class EditRegion
{
    /// <summary>Row-major mask of a <paramref name="size"/> x <paramref name="size"/> image; true inside the region.</summary>
    public static bool[] Mask(Scene source, Scene target, EditType type, int size)
    {
        var mask = new bool[size * size];
        if (type == EditType.DoNothing) return mask;
        if (type == EditType.Background)
        {
            var a = SceneRenderer.Render(source, size).Pixels;
            var b = SceneRenderer.Render(target, size).Pixels;
            for (int i = 0; i < mask.Length; i++)
            {
                mask[i] = a[3 * i] != b[3 * i] || a[3 * i + 1] != b[3 * i + 1] || a[3 * i + 2] != b[3 * i + 2];
            }
            return mask;
        }
        var (before, after) = EditedObjects.Find(source, target, type);
        foreach (var o in new[] { before, after })
        {
            if (o is null) continue;
            var (x0, y0, x1, y1) = SceneLayout.CellPixels(o.Row, o.Col, size);
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                    mask[y * size + x] = true;
        }
        return mask;
    }
}
