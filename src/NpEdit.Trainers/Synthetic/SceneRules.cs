namespace NpEdit.Trainers.Synthetic;

/// <summary>The rules every sampled scene obeys (1-3 objects, distinct cells, distinct shapes, jitter in range).</summary>
public static class SceneRules
{
    /// <summary>Null when the scene obeys the rules, otherwise what is wrong with it.</summary>
    public static string? Violation(Scene scene)
    {
        if (scene.Objects.Count is < 1 or > SceneLayout.MaxObjects) return $"{scene.Objects.Count} objects (1-{SceneLayout.MaxObjects} allowed)";
        if (!Palette.BackgroundColors.Contains(scene.Background)) return $"{scene.Background} is not a background colour";
        if (scene.Objects.Select(o => o.CellIndex).Distinct().Count() != scene.Objects.Count) return "two objects share a cell";
        if (scene.Objects.Select(o => o.Shape).Distinct().Count() != scene.Objects.Count) return "two objects share a shape";
        foreach (var o in scene.Objects)
        {
            if (!Palette.ObjectColors.Contains(o.Color)) return $"{o.Color} is not an object colour";
            float max = SceneLayout.MaxJitter(o.Size) + 1e-6f;
            if (Math.Abs(o.JitterX) > max || Math.Abs(o.JitterY) > max) return $"the {o.Shape} is jittered out of its cell";
        }
        return null;
    }

    public static bool IsValid(Scene scene) => Violation(scene) is null;
}
