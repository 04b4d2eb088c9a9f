using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class QuestionGeneratorTests
{
    [Fact]
    public void Answers_are_balanced_overall_and_per_kind()
    {
        var rng = new Random(1);
        var questions = QuestionKinds.General.SelectMany(kind => Enumerable.Range(0, 120).Select(_ => QuestionGenerator.Sample(rng, WorldSplit.Train, kind))).ToArray();
        YesShare(questions).Should().BeInRange(0.45, 0.55);
        foreach (var group in questions.GroupBy(q => q.Kind))
        {
            YesShare(group.ToArray()).Should().BeInRange(0.3, 0.7, group.Key);
        }
    }

    [Fact]
    public void Single_and_two_image_kinds_show_one_and_two_images()
    {
        var rng = new Random(2);
        foreach (var kind in QuestionKinds.SingleImage) QuestionGenerator.Sample(rng, WorldSplit.Eval, kind).Images.Should().HaveCount(1);
        foreach (var kind in QuestionKinds.TwoImage) QuestionGenerator.Sample(rng, WorldSplit.Eval, kind).Images.Should().HaveCount(2);
    }

    [Fact]
    public void Questions_are_deterministic()
    {
        QuestionGenerator.Sample(new Random(5), WorldSplit.Train).Should().BeEquivalentTo(QuestionGenerator.Sample(new Random(5), WorldSplit.Train));
    }

    [Fact]
    public void Single_image_answers_agree_with_the_scene()
    {
        var rng = new Random(3);
        for (int i = 0; i < 700; i++)
        {
            var q = QuestionGenerator.Sample(rng, WorldSplit.Eval, QuestionKinds.SingleImage[i % QuestionKinds.SingleImage.Count]);
            var slots = QuestionTemplates.For(q.Kind).Single(t => t.Id == q.TemplateId).Match(q.Question)!;
            IndependentAnswer(q.Kind, slots, q.Images[0]).Should().Be(q.Answer, q.Question + " / " + q.Images[0]);
        }
    }

    [Fact]
    public void Two_image_answers_agree_with_the_scenes()
    {
        var rng = new Random(4);
        var attributes = Enum.GetValues<SceneAttribute>().SelectMany(a => Enum.GetValues<ShapeKind>().Select(s => (a, s)))
            .GroupBy(x => WorldVocabulary.AttributePhrase(x.a, x.s)).ToDictionary(g => g.Key, g => g.First());
        for (int i = 0; i < 400; i++)
        {
            var q = QuestionGenerator.Sample(rng, WorldSplit.Eval, QuestionKinds.TwoImage[i % QuestionKinds.TwoImage.Count]);
            var (first, second) = (q.Images[0], q.Images[1]);
            var slots = QuestionTemplates.For(q.Kind).Single(t => t.Id == q.TemplateId).Match(q.Question)!;
            var (attribute, shape) = slots.TryGetValue("attr", out var phrase) ? attributes[phrase] : (SceneAttribute.Background, ShapeKind.Circle);
            bool expected = q.Kind switch
            {
                QuestionKinds.CompareSame => first.SameContent(second),
                QuestionKinds.CompareAdded => second.Objects.Any(o => !first.Has(o.Shape)),
                QuestionKinds.CompareRemoved => first.Objects.Any(o => !second.Has(o.Shape)),
                QuestionKinds.CompareExcept => SameExcept(first, second, attribute, shape),
                _ => Changed(first, second, attribute, shape),
            };
            q.Answer.Should().Be(expected, $"{q.Question} / {first} / {second}");
        }
    }

    [Fact]
    public void Except_and_changed_questions_single_out_the_named_attribute()
    {
        var first = WorldTestData.CircleAndSquare;
        var circle = first.Find(ShapeKind.Circle)!;
        var second = first.Replace(circle, circle with { Color = Palette.Green });
        TwoImageQuestions.Answer(QuestionKinds.CompareExcept, first, second, SceneAttribute.Color, ShapeKind.Circle).Should().BeTrue();
        TwoImageQuestions.Answer(QuestionKinds.CompareExcept, first, second, SceneAttribute.Size, ShapeKind.Circle).Should().BeFalse();
        TwoImageQuestions.Answer(QuestionKinds.CompareExcept, first, second, SceneAttribute.Color, ShapeKind.Square).Should().BeFalse();
        TwoImageQuestions.Answer(QuestionKinds.CompareChanged, first, second, SceneAttribute.Color, ShapeKind.Circle).Should().BeTrue();
        TwoImageQuestions.Answer(QuestionKinds.CompareChanged, first, second, SceneAttribute.Position, ShapeKind.Circle).Should().BeFalse();
        TwoImageQuestions.Answer(QuestionKinds.CompareSame, first, second, default, default).Should().BeFalse();
        TwoImageQuestions.Answer(QuestionKinds.CompareAdded, first, second, default, default).Should().BeFalse();
        QuestionTemplates.For(QuestionKinds.CompareExcept)[0]
            .Fill(new Dictionary<string, string> { ["attr"] = WorldVocabulary.AttributePhrase(SceneAttribute.Color, ShapeKind.Circle) })
            .Should().Be("apart from the color of the circle, are the two images the same?");
    }

    private static bool SameExcept(Scene first, Scene second, SceneAttribute attribute, ShapeKind shape)
    {
        if (attribute == SceneAttribute.Background) return (first with { Background = second.Background }).SameContent(second);
        var (a, b) = (first.Find(shape), second.Find(shape));
        if (a is null || b is null) return first.SameContent(second);
        var othersA = Scene.Create(first.Background, first.Objects.Where(o => o.Shape != shape));
        var othersB = Scene.Create(second.Background, second.Objects.Where(o => o.Shape != shape));
        return othersA.SameContent(othersB)
            && (attribute == SceneAttribute.Color || a.Color == b.Color)
            && (attribute == SceneAttribute.Size || a.Size == b.Size)
            && (attribute == SceneAttribute.Position || (a.Row == b.Row && a.Col == b.Col));
    }

    private static bool Changed(Scene first, Scene second, SceneAttribute attribute, ShapeKind shape)
    {
        if (attribute == SceneAttribute.Background) return first.Background != second.Background;
        var (a, b) = (first.Find(shape)!, second.Find(shape)!);
        return attribute switch
        {
            SceneAttribute.Color => a.Color != b.Color,
            SceneAttribute.Size => a.Size != b.Size,
            _ => a.Row != b.Row || a.Col != b.Col,
        };
    }

    private static double YesShare(IReadOnlyCollection<JudgeQuestion> questions) => questions.Count(q => q.Answer) / (double)questions.Count;

    private static bool IndependentAnswer(string kind, IReadOnlyDictionary<string, string> slots, Scene scene)
    {
        SceneObject? ByShape() => scene.Objects.SingleOrDefault(o => WorldVocabulary.ShapeNoun(o.Shape) == slots["shape"]);
        SceneObject? ByCell() => scene.Objects.SingleOrDefault(o => WorldVocabulary.CellName(o.Row, o.Col) == slots["pos"]);
        return kind switch
        {
            QuestionKinds.Presence => ByShape() is { } o && (!slots.ContainsKey("color") || o.Color.Name == slots["color"]),
            QuestionKinds.Color => ByShape()!.Color.Name == slots["color"],
            QuestionKinds.Shape => WorldVocabulary.ShapeNoun(ByCell()!.Shape) == slots["shape"],
            QuestionKinds.Size => WorldVocabulary.SizeWord(ByShape()!.Size) == slots["size"],
            QuestionKinds.Position => WorldVocabulary.CellName(ByShape()!.Row, ByShape()!.Col) == slots["pos"],
            QuestionKinds.Background => scene.Background.Name == slots["bg"],
            QuestionKinds.Count => WorldVocabulary.NumberWord(scene.Objects.Count) == slots["count"],
            _ => throw new ArgumentException(kind),
        };
    }
}
