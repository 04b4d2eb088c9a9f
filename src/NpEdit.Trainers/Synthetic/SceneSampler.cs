namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Draws scenes that obey <see cref="SceneRules"/>: a background, 1-3 objects (uniform count), distinct cells,
/// distinct shapes, independent colours and sizes, and jitter inside the cell. In <see cref="WorldSplit.Train"/>
/// an object whose colour/shape combination is held out gets a new colour: resampling the colour rather than the
/// whole scene keeps every shape equally likely.
/// </summary>
public static class SceneSampler
{
    /// <param name="maxObjects">At most this many objects (1 to <see cref="SceneLayout.MaxObjects"/>; the count is
    /// uniform below it). The default draws the same scenes as before the parameter existed.</param>
    public static Scene Sample(Random rng, WorldSplit split = WorldSplit.Train, int maxObjects = SceneLayout.MaxObjects)
    {
        if (maxObjects is < 1 or > SceneLayout.MaxObjects) throw new ArgumentOutOfRangeException(nameof(maxObjects), maxObjects, $"Between 1 and {SceneLayout.MaxObjects}.");
        var background = rng.Pick(Palette.BackgroundColors);
        int count = 1 + rng.Next(maxObjects);
        var cells = rng.Shuffled(SceneLayout.AllCells()).Take(count).ToArray();
        var shapes = rng.Shuffled(Enum.GetValues<ShapeKind>()).Take(count).ToArray();
        var objects = new SceneObject[count];
        for (int i = 0; i < count; i++)
        {
            objects[i] = SampleObject(rng, split, shapes[i], cells[i].Row, cells[i].Col);
        }
        return Scene.Create(background, objects);
    }

    /// <summary>An object of a given shape in a given cell, with random colour, size and jitter.</summary>
    public static SceneObject SampleObject(Random rng, WorldSplit split, ShapeKind shape, int row, int col)
    {
        var color = SampleColor(rng, split, shape);
        var size = rng.Coin() ? SizeKind.Large : SizeKind.Small;
        var (jx, jy) = SampleJitter(rng, size);
        return new SceneObject(shape, color, size, row, col, jx, jy);
    }

    /// <summary>A colour the split allows on this shape.</summary>
    public static PaletteColor SampleColor(Random rng, WorldSplit split, ShapeKind shape)
    {
        while (true)
        {
            var color = rng.Pick(Palette.ObjectColors);
            if (HeldOut.Allows(split, shape, color)) return color;
        }
    }

    public static (float X, float Y) SampleJitter(Random rng, SizeKind size)
    {
        float max = SceneLayout.MaxJitter(size);
        return (rng.Uniform(-max, max), rng.Uniform(-max, max));
    }
}
