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

    [Fact]
    public void Made_up_words_are_no_world_word_and_keep_what_the_question_asks()
    {
        var world = WorldVocabulary.Words.ToHashSet();
        var noise = QuestionNoise.ForWorld(1.0, madeUpShare: 1.0);
        var random = new Random(4);
        var madeUp = Enumerable.Range(0, 5000).Select(_ => noise.MadeUp(random)).ToList();
        madeUp.Should().OnlyContain(w => w.Length >= QuestionNoise.MadeUpMinLength && w.Length <= QuestionNoise.MadeUpMaxLength && w.All(char.IsAsciiLetterLower));
        madeUp.Should().NotContain(w => world.Contains(w), "a made-up word is never a word of the world, held-out phrasings' words included");
        madeUp.Distinct().Count().Should().BeGreaterThan(4900);

        int unknown = 0, total = 0;
        foreach (var q in TrainingQuestions(20, seed: 8))
        {
            var noised = noise.Apply(q.Question, q.Kind, random);
            Protected(noised).Should().Equal(Protected(q.Question), $"'{noised}' keeps what '{q.Question}' asks about");
            var words = WorldVocabulary.Tokenize(noised).Where(w => char.IsAsciiLetterLower(w[0])).ToList();
            unknown += words.Count(w => !world.Contains(w));
            words.Where(world.Contains).Should().BeSubsetOf(WorldVocabulary.Tokenize(q.Question), "with share 1 every new word is made up");
            total++;
        }
        unknown.Should().BeGreaterThan(total, "at rate 1 most questions gain more than one made-up word");
    }

    [Fact]
    public void A_made_up_share_of_zero_adds_only_training_words_and_a_half_share_mixes_both()
    {
        var questions = TrainingQuestions(10, seed: 9).ToList();
        var world = WorldVocabulary.Words.ToHashSet();
        var zero = QuestionNoise.ForWorld(1.0, madeUpShare: 0);
        questions.SelectMany(q => WorldVocabulary.Tokenize(zero.Apply(q.Question, q.Kind, new Random(q.Question.Length)))).Should().OnlyContain(w => world.Contains(w));

        var half = QuestionNoise.ForWorld(1.0, madeUpShare: 0.5);
        var random = new Random(10);
        var added = questions.SelectMany(q => WorldVocabulary.Tokenize(half.Apply(q.Question, q.Kind, random)).Except(WorldVocabulary.Tokenize(q.Question))).ToList();
        added.Count(w => !world.Contains(w)).Should().BeGreaterThan(added.Count / 4);
        added.Count(w => world.Contains(w)).Should().BeGreaterThan(added.Count / 4);

        var act = () => QuestionNoise.ForWorld(0.5, madeUpShare: 1.5);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("madeUpShare");
    }
}
