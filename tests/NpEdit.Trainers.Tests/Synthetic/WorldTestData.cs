using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

/// <summary>Small hand-made scenes and helpers shared by the world's tests.</summary>
internal static class WorldTestData
{
    public static SceneObject Obj(ShapeKind shape, PaletteColor color, SizeKind size, int row, int col) =>
        new(shape, color, size, row, col, 0f, 0f);

    /// <summary>A large red circle top left and a small blue square in the centre on gray.</summary>
    public static Scene CircleAndSquare { get; } = Scene.Create(Palette.Gray,
    [
        Obj(ShapeKind.Circle, Palette.Red, SizeKind.Large, 0, 0),
        Obj(ShapeKind.Square, Palette.Blue, SizeKind.Small, 1, 1),
    ]);

    public static IEnumerable<Scene> Scenes(int count, WorldSplit split, int seed = 0) =>
        Enumerable.Range(0, count).Select(i => SceneSampler.Sample(new Random(seed * 100_003 + i), split));

    /// <summary><paramref name="count"/> edits of one category (on random scenes where it applies).</summary>
    public static IEnumerable<EditSample> Edits(EditType type, int count, WorldSplit split = WorldSplit.Eval, int seed = 0)
    {
        var rng = new Random(seed);
        int made = 0;
        while (made < count)
        {
            var scene = SceneSampler.Sample(rng, split);
            if (!EditSampler.IsApplicable(scene, type, split)) continue;
            made++;
            yield return EditSampler.Sample(scene, type, rng, split);
        }
    }

    public static TheoryData<EditType> AllEditTypes() => new(Enum.GetValues<EditType>());
}
