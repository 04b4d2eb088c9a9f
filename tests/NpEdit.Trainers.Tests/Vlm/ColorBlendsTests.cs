using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class ColorBlendsTests
{
    private static List<Scene> Scenes(int count) =>
        Enumerable.Range(0, count).Select(i => SceneSampler.Sample(new Random(i), WorldSplit.Train)).ToList();

    [Fact]
    public void A_blend_mixes_two_renders_of_its_scene_that_differ_only_in_one_objects_colour()
    {
        var scenes = Scenes(6);
        var (images, chosen, blends) = ColorBlends.Draw(scenes, 20, 32, new Random(5), CPU);
        using var scope = NewDisposeScope();
        images.shape.Should().Equal(20, 3, 32, 32);
        chosen.Should().HaveCount(20).And.OnlyContain(s => scenes.Contains(s));
        blends.Select(b => b.Image).Should().Equal(Enumerable.Range(0, 20));
        blends.Should().OnlyContain(b => b.FromColor != b.ToColor && b.Amount >= 0 && b.Amount < 1);
        blends.Select(b => b.ToColor).Distinct().Count().Should().BeGreaterThan(3, "the other colour is drawn from the whole palette");
        for (int i = 0; i < 20; i++)
        {
            var b = blends[i];
            var target = chosen[i].Objects.Single(o => o.CellIndex == b.Cell);
            Palette.ObjectColors[(int)b.FromColor - 1].Should().Be(target.Color, "the blend starts from the object's own colour");
            var own = SceneRenderer.RenderTensor(chosen[i]);
            var other = SceneRenderer.RenderTensor(chosen[i].Replace(target, target with { Color = Palette.ObjectColors[(int)b.ToColor - 1] }));
            var expected = own.Mul(1 - b.Amount).Add(other.Mul(b.Amount));
            images[i].allclose(expected, rtol: 0, atol: 1e-5).Should().BeTrue($"image {i} is the two renders mixed by its amount");
            // Away from the blended object nothing changes.
            var changed = own.sub(other).abs().sum(0L).Gt(0);
            images[i].sub(own).abs().sum(0L).masked_select(changed.logical_not()).max().item<float>().Should().BeLessThan(1e-5f);
            changed.any().item<bool>().Should().BeTrue("the two colours render differently");
        }
    }

    [Fact]
    public void Blends_repeat_with_their_random_and_skip_scenes_without_objects()
    {
        var scenes = Scenes(4);
        var (a, _, blendsA) = ColorBlends.Draw(scenes, 5, 32, new Random(1), CPU);
        var (b, _, blendsB) = ColorBlends.Draw(scenes, 5, 32, new Random(1), CPU);
        blendsA.Should().Equal(blendsB);
        a.equal(b).all().item<bool>().Should().BeTrue();
        var empty = Scene.Create(Palette.Gray, []);
        var (none, noScenes, noBlends) = ColorBlends.Draw([empty], 3, 32, new Random(1), CPU);
        none.shape[0].Should().Be(0);
        noScenes.Should().BeEmpty();
        noBlends.Should().BeEmpty();
        var negative = () => ColorBlends.Draw(scenes, -1, 32, new Random(1), CPU);
        negative.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void A_blended_scene_token_lies_its_amount_of_the_way_between_the_two_colours_tokens()
    {
        var scenes = Scenes(3);
        using var tokens = new SceneTokens(hiddenSize: 8, initStd: 0.1, seed: 1);
        var target = scenes[1].Objects[0];
        int from = Palette.ObjectColors.ToList().IndexOf(target.Color) + 1;
        int to = from % Palette.ObjectColors.Count + 1;
        var recoloured = scenes.ToList();
        recoloured[1] = scenes[1].Replace(target, target with { Color = Palette.ObjectColors[to - 1] });
        using var scope = NewDisposeScope();
        var own = tokens.Encode(scenes);
        var other = tokens.Encode(recoloured);
        foreach (var amount in new[] { 0.0, 0.3, 1.0 })
        {
            var blended = tokens.EncodeBlended(scenes, [new ColorBlend(1, target.CellIndex, from, to, amount)]);
            blended.allclose(own.Mul(1 - amount).Add(other.Mul(amount)), rtol: 0, atol: 1e-6).Should().BeTrue($"amount {amount}");
        }
        tokens.EncodeBlended(scenes, []).equal(own).all().item<bool>().Should().BeTrue("no blends: the plain tokens");
        // The alignment loss reads the blended target.
        var features = torch.cat(new[] { tokens.EncodeBlended(scenes, [new ColorBlend(1, target.CellIndex, from, to, 0.3)]), torch.zeros(3, 1, 8) }, 1);
        JudgeTrainer.AlignmentLoss(features, tokens, scenes, [new ColorBlend(1, target.CellIndex, from, to, 0.3)]).item<float>().Should().Be(0f);
        JudgeTrainer.AlignmentLoss(features, tokens, scenes).item<float>().Should().BeGreaterThan(0f);
    }
}
