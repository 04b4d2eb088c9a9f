using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class AdaptiveKindWeightsTests
{
    [Fact]
    public void Errors_start_at_chance_follow_the_answers_and_weights_keep_a_floor()
    {
        var weights = new AdaptiveKindWeights(decay: 0.9, floor: 0.1);
        weights.ErrorOf(QuestionKinds.Color).Should().Be(0.5, "an unseen kind is at chance");
        weights.Add([QuestionKinds.Color, QuestionKinds.Presence], [true, false]);
        weights.ErrorOf(QuestionKinds.Color).Should().BeApproximately(0.9 * 0.5, 1e-12, "a right answer moves the average by 0.1 towards 0");
        weights.ErrorOf(QuestionKinds.Presence).Should().BeApproximately(0.9 * 0.5 + 0.1, 1e-12, "a wrong one towards 1");
        for (int i = 0; i < 100; i++) weights.Add([QuestionKinds.Color], [true]);
        weights.ErrorOf(QuestionKinds.Color).Should().BeLessThan(1e-4);
        weights.WeightOf(QuestionKinds.Color).Should().Be(0.1, "a learnt kind keeps the floor");
        weights.ToString().Should().Be("color=0.10 presence=0.55");
        var act = () => weights.Add([QuestionKinds.Color], [true, false]);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void A_kind_at_chance_is_drawn_five_times_as_often_as_a_learnt_one_and_fixed_weights_multiply()
    {
        var kinds = KindWeightsTests.WorldKinds(20_000);
        var weights = new AdaptiveKindWeights(decay: 0.5, floor: 0.1);
        // Learnt: every single-image kind; the two-image kinds stay at chance (0.5).
        for (int i = 0; i < 40; i++) weights.Add(QuestionKinds.SingleImage.ToList(), QuestionKinds.SingleImage.Select(_ => true).ToList());
        double Share(Func<string, bool> filter, IReadOnlyCollection<string> group)
        {
            var taken = kinds.Where(filter).ToList();
            return taken.Count(group.Contains) / (double)kinds.Count(group.Contains);
        }
        var filter = weights.Filter(allowed: null, fixedWeights: null, new Random(1));
        Share(filter, QuestionKinds.TwoImage.ToList()).Should().BeInRange(0.97, 1.0, "kinds at the largest weight are always kept");
        Share(weights.Filter(null, null, new Random(2)), QuestionKinds.SingleImage.ToList()).Should().BeInRange(0.17, 0.23, "learnt kinds are kept with chance 0.1 / 0.5");

        var fixedWeights = KindWeights.Parse("color=2");
        double color = Share(weights.Filter(null, fixedWeights, new Random(3)), [QuestionKinds.Color]);
        color.Should().BeInRange(0.34, 0.46, "colour weighs 0.1 x 2 against 0.5");

        var allowed = new[] { QuestionKinds.Color, QuestionKinds.Presence };
        kinds.Where(weights.Filter(allowed, null, new Random(4))).Should().OnlyContain(k => allowed.Contains(k));
        Share(weights.Filter(allowed, null, new Random(4)), allowed).Should().BeInRange(0.97, 1.0, "the largest weight is taken among the allowed kinds only");
    }

    [Fact]
    public void Saved_state_restores_the_same_draws_and_bad_state_is_refused_with_the_file_named()
    {
        var kinds = KindWeightsTests.WorldKinds(3000);
        var weights = new AdaptiveKindWeights(decay: 0.97, floor: 0.05);
        var random = new Random(5);
        foreach (var kind in kinds.Take(500)) weights.Add([kind], [random.NextDouble() < 0.7]);
        var state = weights.Save().ToDictionary(kv => kv.Key, kv => kv.Value);
        state.Keys.Should().OnlyContain(k => k.StartsWith("kind_error.", StringComparison.Ordinal));

        var restored = new AdaptiveKindWeights(decay: 0.97, floor: 0.05);
        restored.Load(state.Append(KeyValuePair.Create("step", "12")).ToDictionary(), "ck/state.json");
        foreach (var kind in QuestionKinds.JudgeRows) restored.ErrorOf(kind).Should().Be(weights.ErrorOf(kind), $"{kind}'s average round-trips exactly");
        kinds.Select(restored.Filter(null, null, new Random(6))).Should().Equal(kinds.Select(weights.Filter(null, null, new Random(6))));

        var bad = () => restored.Load(new Dictionary<string, string> { ["kind_error.color"] = "1.5" }, "ck/state.json");
        bad.Should().Throw<FormatException>().WithMessage("*ck/state.json*kind_error.color*");
    }

    [Theory]
    [InlineData(1.0, 0.1)]
    [InlineData(0.0, 0.1)]
    [InlineData(0.99, 0.0)]
    [InlineData(0.99, 0.6)]
    public void Decay_and_floor_outside_their_ranges_are_refused(double decay, double floor)
    {
        var act = () => new AdaptiveKindWeights(decay, floor);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
