using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.TextToImage;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.TextToImage;

public sealed class CellContentProbeTests
{
    public CellContentProbeTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Tokens_map_to_the_world_cell_under_their_centre()
    {
        // 8 tokens per side over 3 cells: centres at 2, 6, 10, 14, 18, 22, 26, 30 px of 32.
        var cells = CellContentProbe.CellOfToken(8);
        cells.Take(8).Should().Equal(0, 0, 0, 1, 1, 2, 2, 2);
        cells[3 * 8 + 5].Should().Be(1 * 3 + 2, "token row 3 lies in cell row 1 and token column 5 in cell column 2");
        cells[63].Should().Be(8);
        CellContentProbe.CellOfToken(4).Take(4).Should().Equal(0, 1, 1, 2);
    }

    [Fact]
    public void Each_token_is_labelled_with_the_object_in_its_cell_and_the_background()
    {
        var circle = new SceneObject(ShapeKind.Circle, Palette.Blue, SizeKind.Large, Row: 0, Col: 2, 0, 0);
        var star = new SceneObject(ShapeKind.Star, Palette.Red, SizeKind.Small, Row: 2, Col: 0, 0, 0);
        var scenes = new[] { Scene.Create(Palette.Gray, [circle]), Scene.Create(Palette.Navy, [star]) };
        var (shape, color, size, background) = CellContentProbe.TokenLabels(scenes, 8);
        shape.Should().HaveCount(2 * 64);
        long At(long[] labels, int row, int tokenRow, int tokenCol) => labels[row * 64 + tokenRow * 8 + tokenCol];
        At(shape, 0, 1, 6).Should().Be((int)ShapeKind.Circle + 1, "the top-right tokens lie in the circle's cell");
        At(color, 0, 1, 6).Should().Be(Palette.ObjectColors.ToList().IndexOf(Palette.Blue) + 1);
        At(size, 0, 1, 6).Should().Be((int)SizeKind.Large + 1);
        At(shape, 0, 1, 1).Should().Be(0, "the top-left cell is empty");
        At(shape, 1, 7, 0).Should().Be((int)ShapeKind.Star + 1);
        At(shape, 1, 1, 6).Should().Be(0);
        shape.Count(s => s != 0).Should().Be(9 + 9, "each object's cell covers 3 x 3 tokens");
        background.Take(64).Should().OnlyContain(b => b == Palette.BackgroundColors.ToList().IndexOf(Palette.Gray));
        background.Skip(64).Should().OnlyContain(b => b == Palette.BackgroundColors.ToList().IndexOf(Palette.Navy));
    }

    [Fact]
    public void Rows_without_a_caption_add_nothing_to_the_loss()
    {
        var scenes = Enumerable.Range(0, 2).Select(i => WorldRows.Caption(1, i, WorldSplit.Train).Scene).ToList();
        torch.manual_seed(3);
        using var probe = new CellContentProbe(8);
        using var hidden = torch.randn(2, 16, 8);
        using var both = probe.Loss(hidden, scenes, torch.tensor(new[] { 1f, 1f }));
        using var firstOnly = probe.Loss(hidden, scenes, torch.tensor(new[] { 1f, 0f }));
        using var first = probe.Loss(hidden.narrow(0, 0, 1), scenes.Take(1).ToList(), torch.tensor(new[] { 1f }));
        firstOnly.item<float>().Should().BeApproximately(first.item<float>(), 1e-6f);
        both.item<float>().Should().NotBe(firstOnly.item<float>());
        var wrongCount = () => probe.Loss(hidden, scenes.Take(1).ToList(), torch.tensor(new[] { 1f }));
        wrongCount.Should().Throw<ArgumentException>().WithMessage("*2 rows, 1 scenes*");
    }
}
