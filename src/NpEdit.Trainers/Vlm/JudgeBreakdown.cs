using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Vlm;

/// <summary>A judge's accuracy on one kind of case (<see cref="QuestionCase"/>) of one question kind.</summary>
public sealed record JudgeCase(string Kind, string Case, int Questions, double Accuracy);

/// <summary>
/// Accuracy per question kind and per case within it, on held-out world questions (<see cref="WorldSplit.Eval"/>,
/// clean renders): where <see cref="JudgeEvaluation"/> says how often a judge is right, this says on which questions
/// it is wrong. Why: the one-hour judges' misses were not spread evenly but sat in a few cases each answered wrong
/// almost every time, and which cases differed from run to run (docs/judge.md).
/// </summary>
public static class JudgeBreakdown
{
    /// <summary>Cases of each kind in <paramref name="kinds"/> (general kinds), <paramref name="count"/> questions per kind,
    /// in the kinds' order and, within a kind, by case label.</summary>
    public static IReadOnlyList<JudgeCase> Evaluate(JudgeTransformer judge, IReadOnlyList<string> kinds, int count, int seed, int size = SceneRenderer.DefaultSize)
    {
        ArgumentNullException.ThrowIfNull(judge);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Ask at least one question per kind.");
        var unknown = kinds.Where(k => !QuestionKinds.General.Contains(k, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Not general question kinds: {string.Join(", ", unknown)} (known: {string.Join(", ", QuestionKinds.General)}).", nameof(kinds));
        var rng = new Random(seed);
        var cases = new List<JudgeCase>();
        foreach (var kind in kinds.Distinct(StringComparer.Ordinal))
        {
            var questions = Enumerable.Range(0, count).Select(_ => QuestionGenerator.Sample(rng, WorldSplit.Eval, kind)).ToList();
            var probabilities = judge.ProbabilityYes(questions
                .Select(q => ((IReadOnlyList<RgbImage>)q.Images.Select(s => SceneRenderer.Render(s, size)).ToList(), q.Question)).ToList());
            cases.AddRange(questions.Select((q, i) => (Case: QuestionCase.Of(q), Right: probabilities[i] > 0.5f == q.Answer))
                .GroupBy(x => x.Case, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new JudgeCase(kind, g.Key, g.Count(), g.Count(x => x.Right) / (double)g.Count())));
        }
        return cases;
    }
}
