using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class KindWeightsTests
{
    internal static List<string> WorldKinds(int count) =>
        Enumerable.Range(0, count).Select(i => WorldRows.Judge(4, i, WorldSplit.Train).Kind).ToList();

    private static double TwoImageOverSingle(IEnumerable<string> kinds)
    {
        var list = kinds.ToList();
        return list.Count(QuestionKinds.TwoImage.Contains) / (double)list.Count(QuestionKinds.SingleImage.Contains);
    }

    [Fact]
    public void A_weight_of_three_triples_a_kinds_share_against_the_others()
    {
        var kinds = WorldKinds(20_000);
        var weights = KindWeights.Parse(string.Join(",", QuestionKinds.TwoImage.Select(k => k + "=3")));
        var filter = weights.Filter(allowed: null, new Random(1));
        var taken = kinds.Where(filter).ToList();

        double ratio = TwoImageOverSingle(taken) / TwoImageOverSingle(kinds);
        ratio.Should().BeInRange(2.7, 3.3, "two-image rows are always kept and the rest one time in three");
        taken.Count.Should().BeInRange((int)(0.9 * (kinds.Count(QuestionKinds.TwoImage.Contains) + (kinds.Count - kinds.Count(QuestionKinds.TwoImage.Contains)) / 3.0)), kinds.Count);
        weights.WeightOf(QuestionKinds.Color).Should().Be(1, "kinds not named weigh 1");
    }

    [Fact]
    public void Allowed_kinds_bound_what_is_taken_and_the_draws_repeat_with_the_random_seed()
    {
        var kinds = WorldKinds(3000);
        var weights = KindWeights.Parse("presence=0.5, compare_added=2");
        var allowed = new[] { QuestionKinds.Presence, QuestionKinds.Color };
        var first = kinds.Select(weights.Filter(allowed, new Random(7))).ToList();
        var again = kinds.Select(weights.Filter(allowed, new Random(7))).ToList();
        first.Should().Equal(again);
        kinds.Where((k, i) => first[i]).Should().OnlyContain(k => allowed.Contains(k));
        double presence = kinds.Where((k, i) => first[i]).Count(k => k == QuestionKinds.Presence) / (double)kinds.Count(k => k == QuestionKinds.Presence);
        double color = kinds.Where((k, i) => first[i]).Count(k => k == QuestionKinds.Color) / (double)kinds.Count(k => k == QuestionKinds.Color);
        presence.Should().BeInRange(0.15, 0.35, "presence (0.5) is kept with chance 0.5 / 2");
        color.Should().BeInRange(0.4, 0.6, "colour (1) with chance 1 / 2");
    }

    [Theory]
    [InlineData("compare_added", "kind=number")]
    [InlineData("colour=2", "unknown question kind 'colour'")]
    [InlineData("color=0", "positive")]
    [InlineData("color=2,color=3", "weighted twice")]
    [InlineData(" , ", "at least one")]
    public void Bad_weights_are_refused_with_the_item_named(string text, string message)
    {
        var act = () => KindWeights.Parse(text);
        act.Should().Throw<ArgumentException>().WithMessage($"*{message}*");
    }
}
