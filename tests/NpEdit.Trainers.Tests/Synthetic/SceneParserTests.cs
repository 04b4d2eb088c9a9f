using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class SceneParserTests
{
    [Fact]
    public void Clean_renders_are_recovered_exactly()
    {
        foreach (var scene in WorldTestData.Scenes(300, WorldSplit.Eval, seed: 1))
        {
            SceneParser.Parse(SceneRenderer.Render(scene)).SameContent(scene).Should().BeTrue(scene.ToString());
        }
    }

    [Theory]
    [InlineData(64)]
    [InlineData(128)]
    public void Larger_renders_are_recovered_exactly(int size)
    {
        foreach (var scene in WorldTestData.Scenes(25, WorldSplit.Eval, seed: size))
        {
            SceneParser.Parse(SceneRenderer.Render(scene, size)).SameContent(scene).Should().BeTrue(scene.ToString());
        }
    }

    [Fact]
    public void Every_shape_colour_size_and_background_is_recognised()
    {
        foreach (var background in Palette.BackgroundColors)
            foreach (var color in Palette.ObjectColors)
                foreach (var shape in Enum.GetValues<ShapeKind>())
                    foreach (var size in Enum.GetValues<SizeKind>())
                    {
                        var scene = Scene.Create(background, [WorldTestData.Obj(shape, color, size, 2, 1)]);
                        SceneParser.Parse(SceneRenderer.Render(scene)).SameContent(scene).Should().BeTrue(scene.ToString());
                    }
    }

    [Fact]
    public void Blurred_noisy_renders_are_recovered_almost_always()
    {
        var scenes = WorldTestData.Scenes(300, WorldSplit.Eval, seed: 2).ToArray();
        var rng = new Random(0);
        int recovered = scenes.Count(s => SceneParser.Parse(ImageDegradation.BlurAndNoise(SceneRenderer.Render(s), 0.05, rng)).SameContent(s));
        (recovered / (double)scenes.Length).Should().BeGreaterThanOrEqualTo(0.97);
    }

    [Fact]
    public void Jitter_is_recovered_to_a_fraction_of_a_pixel()
    {
        foreach (var scene in WorldTestData.Scenes(50, WorldSplit.Eval, seed: 3))
        {
            var parsed = SceneParser.Parse(SceneRenderer.Render(scene, 64));
            foreach (var o in scene.Objects)
            {
                var p = parsed.Find(o.Shape)!;
                (Math.Abs(p.JitterX - o.JitterX) * 64).Should().BeLessThan(0.35f, o.ToString());
                (Math.Abs(p.JitterY - o.JitterY) * 64).Should().BeLessThan(0.35f, o.ToString());
            }
        }
    }

    [Fact]
    public void An_empty_background_has_no_objects_and_tensors_parse_like_images()
    {
        SceneParser.Parse(RgbImage.Filled(32, 32, Palette.Navy.R, Palette.Navy.G, Palette.Navy.B))
            .Should().BeEquivalentTo(new Scene(Palette.Navy, []));
        var scene = WorldTestData.CircleAndSquare;
        using var tensor = SceneRenderer.RenderTensor(scene);
        SceneParser.Parse(tensor).SameContent(scene).Should().BeTrue();
    }

    [Fact]
    public void A_duplicated_shape_is_reported_rather_than_hidden()
    {
        var scene = new Scene(Palette.White,
        [
            WorldTestData.Obj(ShapeKind.Circle, Palette.Red, SizeKind.Large, 0, 0),
            WorldTestData.Obj(ShapeKind.Circle, Palette.Red, SizeKind.Large, 2, 2),
        ]);
        SceneParser.Parse(SceneRenderer.Render(scene)).Objects.Should().HaveCount(2).And.OnlyContain(o => o.Shape == ShapeKind.Circle);
    }
}
