namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// The judge's general curriculum: single-image questions (presence, colour, shape, size, position, background,
/// count) and two-image comparisons of a scene with a random perturbation of it. Answers are balanced by
/// construction: the answer is drawn first (a fair coin), then random questions are proposed until one has it.
/// Every answer is computed from the scenes, never assumed from how the question was built.
/// </summary>
public static class QuestionGenerator
{
    private const int MaxProposals = 200;

    /// <summary>A question of a random general kind (or of <paramref name="kind"/>), Yes or No with probability one half each.</summary>
    public static JudgeQuestion Sample(Random rng, WorldSplit split, string? kind = null)
    {
        kind ??= rng.Pick(QuestionKinds.General);
        bool answer = rng.Coin();
        for (int attempt = 0; attempt < MaxProposals; attempt++)
        {
            var question = Propose(kind, rng, split);
            if (question.Answer == answer) return question;
        }
        throw new InvalidOperationException($"No '{kind}' question with answer {answer} after {MaxProposals} proposals.");
    }

    private static JudgeQuestion Propose(string kind, Random rng, WorldSplit split)
    {
        var template = rng.Pick(HeldOut.Usable(QuestionTemplates.For(kind), split));
        return QuestionKinds.SingleImage.Contains(kind)
            ? SingleImageQuestions.Propose(kind, template, SceneSampler.Sample(rng, split), rng, split)
            : TwoImageQuestions.Propose(kind, template, rng, split);
    }
}
