using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class QuestionNoiseTests
{
    private static IEnumerable<JudgeQuestion> TrainingQuestions(int perKind, int seed = 5)
    {
        var rng = new Random(seed);
        foreach (var kind in QuestionKinds.SingleImage.Concat(QuestionKinds.TwoImage))
        {
            for (int i = 0; i < perKind; i++) yield return QuestionGenerator.Sample(rng, WorldSplit.Train, kind);
        }
    }

    private static string[] Protected(string text) =>
        WorldVocabulary.Tokenize(text).Where(QuestionNoise.WorldProtectedWords.Contains).ToArray();

    [Fact]
    public void Every_word_the_answer_depends_on_survives_in_order()
    {
        var noise = QuestionNoise.ForWorld(1.0);
        var random = new Random(1);
        int changed = 0, total = 0;
        foreach (var q in TrainingQuestions(40))
        {
            var noised = noise.Apply(q.Question, q.Kind, random);
            Protected(noised).Should().Equal(Protected(q.Question), $"'{noised}' keeps what '{q.Question}' asks about");
            noised.Should().EndWith("?");
            if (noised != q.Question) changed++;
            total++;
        }
        changed.Should().Be(total, "at rate 1 every question has a word that only phrases it");
    }

    [Fact]
    public void No_word_that_only_held_out_phrasings_use_is_ever_shown()
    {
        var heldOutOnly = WorldVocabulary.AllTemplates().Where(t => t.HeldOut).SelectMany(t => WorldVocabulary.Tokenize(t.Pattern))
            .Except(WorldVocabulary.AllTemplates().Where(t => !t.HeldOut).SelectMany(t => WorldVocabulary.Tokenize(t.Pattern)))
            .Where(w => char.IsAsciiLetterLower(w[0])).ToHashSet();
        heldOutOnly.Should().Contain(["see", "thing", "match"], "the world's held-out question phrasings use words no training template has");
        QuestionNoise.WorldTrainingWords.Should().NotContain(w => heldOutOnly.Contains(w));

        var noise = QuestionNoise.ForWorld(0.5);
        var random = new Random(2);
        foreach (var q in TrainingQuestions(40, seed: 6))
        {
            var words = WorldVocabulary.Tokenize(noise.Apply(q.Question, q.Kind, random));
            words.Should().NotContain(w => heldOutOnly.Contains(w));
        }
    }

    [Fact]
    public void Rate_zero_and_np_edit_templates_leave_questions_alone_and_a_seed_repeats()
    {
        var q = QuestionGenerator.Sample(new Random(3), WorldSplit.Train, QuestionKinds.Color);
        QuestionNoise.ForWorld(0).Apply(q.Question, q.Kind, new Random(0)).Should().Be(q.Question);
        var edit = WorldRows.Edit(3, 0, WorldSplit.Train);
        foreach (var t in NpEditQuestions.For(edit))
        {
            QuestionNoise.ForWorld(1.0).Apply(t.Question, t.Kind, new Random(0)).Should().Be(t.Question, "an NP-Edit question's quoted instruction is all answer");
        }
        var noise = QuestionNoise.ForWorld(0.5);
        var questions = TrainingQuestions(5).ToList();
        var a = questions.Select(x => noise.Apply(x.Question, x.Kind, new Random(9))).ToList();
        var b = questions.Select(x => noise.Apply(x.Question, x.Kind, new Random(9))).ToList();
        a.Should().Equal(b);
        var act = () => new QuestionNoise(1.5, [], ["is"]);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
