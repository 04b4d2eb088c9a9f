using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class SceneJsonTests
{
    [Fact]
    public void A_scene_round_trips_through_json_exactly()
    {
        foreach (var scene in WorldTestData.Scenes(200, WorldSplit.Eval))
        {
            Scene.FromJson(scene.ToJson()).Should().Be(scene);
        }
    }

    [Fact]
    public void Json_names_colours_shapes_and_sizes()
    {
        WorldTestData.CircleAndSquare.ToJson().Should().Be(
            "{\"background\":\"gray\",\"objects\":[" +
            "{\"shape\":\"circle\",\"color\":\"red\",\"size\":\"large\",\"row\":0,\"col\":0,\"jitter_x\":0,\"jitter_y\":0}," +
            "{\"shape\":\"square\",\"color\":\"blue\",\"size\":\"small\",\"row\":1,\"col\":1,\"jitter_x\":0,\"jitter_y\":0}]}");
    }

    [Fact]
    public void Unknown_names_and_cells_are_rejected()
    {
        var act = () => Scene.FromJson("{\"background\":\"mauve\",\"objects\":[]}");
        act.Should().Throw<ArgumentException>().WithMessage("*mauve*");
        var badCell = () => Scene.FromJson("{\"background\":\"gray\",\"objects\":[{\"shape\":\"circle\",\"color\":\"red\",\"size\":\"large\",\"row\":3,\"col\":0}]}");
        badCell.Should().Throw<FormatException>();
    }

    [Fact]
    public void Same_content_ignores_jitter_and_order_but_not_attributes()
    {
        var scene = WorldTestData.CircleAndSquare;
        var jittered = new Scene(scene.Background, scene.Objects.Reverse().Select(o => o with { JitterX = 0.01f }).ToArray());
        scene.SameContent(jittered).Should().BeTrue();
        scene.Should().NotBe(jittered);
        scene.SameContent(scene.Replace(scene.Objects[0], scene.Objects[0] with { Size = SizeKind.Small })).Should().BeFalse();
        scene.SameContent(scene with { Background = Palette.Navy }).Should().BeFalse();
    }
}
