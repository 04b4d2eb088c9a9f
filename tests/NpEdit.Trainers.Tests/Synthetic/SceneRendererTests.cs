using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms.Imaging;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class SceneRendererTests
{
    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(128)]
    public void Renders_background_and_object_colours_at_every_size(int size)
    {
        var image = SceneRenderer.Render(WorldTestData.CircleAndSquare, size);
        image.Width.Should().Be(size);
        image.Height.Should().Be(size);
        image.GetPixel(size - 1, size - 1).Should().Be((Palette.Gray.R, Palette.Gray.G, Palette.Gray.B));
        // Cell centres: (0,0) holds the red circle, (1,1) the blue square.
        image.GetPixel(size / 6, size / 6).Should().Be((Palette.Red.R, Palette.Red.G, Palette.Red.B));
        image.GetPixel(size / 2, size / 2).Should().Be((Palette.Blue.R, Palette.Blue.G, Palette.Blue.B));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(128)]
    public void Edges_are_anti_aliased_and_objects_scale_with_the_image(int size)
    {
        var image = SceneRenderer.Render(WorldTestData.CircleAndSquare, size);
        var colors = Enumerable.Range(0, size * size).Select(i => image.GetPixel(i % size, i / size)).ToArray();
        var pure = new[] { Palette.Gray, Palette.Red, Palette.Blue }.Select(c => (c.R, c.G, c.B)).ToHashSet();
        colors.Count(c => !pure.Contains(c)).Should().BeGreaterThan(size / 2, "edge pixels blend object and background");
        double redShare = colors.Count(c => c == (Palette.Red.R, Palette.Red.G, Palette.Red.B)) / (double)colors.Length;
        double expected = Math.PI * Math.Pow(SceneLayout.LargeHalfExtent, 2);
        redShare.Should().BeApproximately(expected, expected * 0.3);
    }

    [Fact]
    public void Rendering_is_deterministic_and_the_tensor_matches_the_png_pixels()
    {
        var scene = SceneSampler.Sample(new Random(3));
        SceneRenderer.Render(scene).Pixels.Should().Equal(SceneRenderer.Render(scene).Pixels);
        using var tensor = SceneRenderer.RenderTensor(scene, 64);
        tensor.shape.Should().Equal(3, 64, 64);
        tensor.min().item<float>().Should().BeGreaterThanOrEqualTo(-1f);
        tensor.max().item<float>().Should().BeLessThanOrEqualTo(1f);
        ImageTensors.ToRgbImage(tensor).Pixels.Should().Equal(SceneRenderer.Render(scene, 64).Pixels);
        using var batch = SceneRenderer.RenderBatch([scene, WorldTestData.CircleAndSquare]);
        batch.shape.Should().Equal(2, 3, 32, 32);
    }

    [Fact]
    public void Every_shape_stays_inside_its_cell()
    {
        const int size = 96;
        foreach (var shape in Enum.GetValues<ShapeKind>())
        {
            var max = SceneLayout.MaxJitter(SizeKind.Large);
            var scene = new Scene(Palette.Black, [new SceneObject(shape, Palette.White, SizeKind.Large, 1, 1, max, -max)]);
            var image = SceneRenderer.Render(scene, size);
            var (x0, y0, x1, y1) = SceneLayout.CellPixels(1, 1, size);
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    if (x < x0 || x >= x1 || y < y0 || y >= y1)
                        image.GetPixel(x, y).Should().Be((Palette.Black.R, Palette.Black.G, Palette.Black.B), $"{shape} leaks to ({x},{y})");
        }
    }
}
