using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class CaptionerTests
{
    [Fact]
    public void The_canonical_caption_lists_objects_in_reading_order()
    {
        Captioner.Canonical(WorldTestData.CircleAndSquare).Should().Be(
            "a large red circle in the top left and a small blue square in the center on a gray background");
    }

    [Fact]
    public void Three_objects_are_joined_with_commas_and_articles_follow_the_next_word()
    {
        var scene = WorldTestData.CircleAndSquare.With(WorldTestData.Obj(ShapeKind.Star, Palette.Orange, SizeKind.Small, 2, 2));
        var template = CaptionTemplate.All.Single(t => t.Phrase.Id == "caption.count");
        Captioner.Describe(scene, template, shapeOrder: null).Should().Be(
            "three objects on a gray background: a large red circle in the top left, a small blue square in the center and a small orange star in the bottom right");
    }

    [Fact]
    public void Sampled_captions_are_deterministic_and_use_several_phrasings()
    {
        var scene = WorldTestData.CircleAndSquare;
        Captioner.Sample(scene, new Random(9), WorldSplit.Train).Should().Be(Captioner.Sample(scene, new Random(9), WorldSplit.Train));
        var captions = Enumerable.Range(0, 200).Select(i => Captioner.Sample(scene, new Random(i), WorldSplit.Eval)).Distinct().ToArray();
        captions.Length.Should().BeGreaterThanOrEqualTo(CaptionTemplate.All.Count);
        foreach (var caption in captions)
        {
            caption.Should().Contain("a large red circle in the top left").And.Contain("a small blue square in the center").And.Contain("gray");
        }
    }

    [Fact]
    public void A_caption_pair_uses_one_template_and_one_object_order()
    {
        var source = WorldTestData.CircleAndSquare;
        var edited = source.Replace(source.Objects[1], source.Objects[1] with { Color = Palette.Green });
        for (int seed = 0; seed < 50; seed++)
        {
            var pair = Captioner.SamplePair(source, edited, new Random(seed), WorldSplit.Eval);
            pair.Edited.Should().Be(pair.Source.Replace("small blue square", "small green square"));
        }
    }
}
