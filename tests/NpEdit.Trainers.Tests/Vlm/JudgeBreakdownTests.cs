using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class JudgeBreakdownTests
{
    [Fact]
    public void Cases_cover_every_question_and_their_accuracies_give_the_kinds_accuracy()
    {
        using var judge = JudgeTransformer.Load(ShippedJudgeTests.ShippedFolder());
        var cases = JudgeBreakdown.Evaluate(judge, [QuestionKinds.CompareChanged, QuestionKinds.Presence], count: 40, seed: 2);

        cases.Select(c => c.Kind).Distinct().Should().Equal(QuestionKinds.CompareChanged, QuestionKinds.Presence);
        cases.GroupBy(c => c.Kind).Should().OnlyContain(g => g.Sum(c => c.Questions) == 40);
        cases.Where(c => c.Kind == QuestionKinds.CompareChanged).Should().OnlyContain(c => c.Case.StartsWith("asks ", StringComparison.Ordinal));
        cases.Select(c => c.Case).Should().OnlyHaveUniqueItems("each kind's cases are grouped once").And.HaveCountGreaterThan(4);

        // The same questions asked directly: the cases' accuracies, weighted by their sizes, are the kind's accuracy.
        var rng = new Random(2);
        var questions = Enumerable.Range(0, 40).Select(_ => QuestionGenerator.Sample(rng, WorldSplit.Eval, QuestionKinds.CompareChanged)).ToList();
        var p = judge.ProbabilityYes(questions.Select(q => ((IReadOnlyList<NpEdit.Transforms.Imaging.RgbImage>)q.Images.Select(s => SceneRenderer.Render(s)).ToList(), q.Question)).ToList());
        double direct = questions.Select((q, i) => p[i] > 0.5f == q.Answer).Count(ok => ok) / 40.0;
        cases.Where(c => c.Kind == QuestionKinds.CompareChanged).Sum(c => c.Accuracy * c.Questions / 40.0).Should().BeApproximately(direct, 1e-9);
    }

    [Fact]
    public void An_unknown_kind_is_refused_by_name()
    {
        using var judge = JudgeTransformer.Load(ShippedJudgeTests.ShippedFolder());
        var act = () => JudgeBreakdown.Evaluate(judge, ["presence", "edit_success", "colour"], count: 5, seed: 1);
        act.Should().Throw<ArgumentException>().WithMessage("*edit_success, colour*");
    }
}
