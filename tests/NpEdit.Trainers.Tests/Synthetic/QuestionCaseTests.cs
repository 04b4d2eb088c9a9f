using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class QuestionCaseTests
{
    private static readonly SceneObject Circle = new(ShapeKind.Circle, Palette.Red, SizeKind.Small, 0, 0, 0, 0);
    private static readonly SceneObject Square = new(ShapeKind.Square, Palette.Blue, SizeKind.Large, 1, 1, 0, 0);
    private static readonly Scene First = Scene.Create(Palette.Gray, [Circle, Square]);

    private static JudgeQuestion Changed(Scene second, string attribute, bool answer, string template = "q.changed.has") =>
        new([First, second], $"has {attribute} changed between the two images?", answer, QuestionKinds.CompareChanged, template);

    [Fact]
    public void Identical_images_asked_about_an_attribute_name_the_attribute_and_say_identical()
    {
        QuestionCase.Of(Changed(First, "the color of the circle", false))
            .Should().Be("asks color, answer no, seen phrasing, identical");
    }

    [Fact]
    public void Changes_of_the_named_object_are_told_apart_from_the_background_and_the_other_objects()
    {
        var second = Scene.Create(Palette.White, [Circle with { Size = SizeKind.Large }, Square with { Color = Palette.Green }]);
        QuestionCase.Of(Changed(second, "the color of the circle", false, "q.changed.differ"))
            .Should().Be("asks color, answer no, held-out phrasing, background + named object's size + other objects");
        var moved = Scene.Create(Palette.Gray, [Circle with { Row = 2, Col = 2 }, Square]);
        QuestionCase.Of(Changed(moved, "the position of the circle", true)).Should().Be("asks position, answer yes, seen phrasing, named object's position");
        var removed = Scene.Create(Palette.Gray, [Square]);
        QuestionCase.Of(Changed(removed, "the background color", false)).Should().Be("asks background, answer no, seen phrasing, objects");
    }

    [Fact]
    public void Single_image_and_comparison_questions_without_an_attribute_give_answer_and_phrasing()
    {
        QuestionCase.Of(new JudgeQuestion([First], "can you see a circle?", true, QuestionKinds.Presence, "q.presence.see"))
            .Should().Be("answer yes, held-out phrasing");
        QuestionCase.Of(new JudgeQuestion([First, First], "are the two images the same?", true, QuestionKinds.CompareSame, "q.same.same"))
            .Should().Be("answer yes, seen phrasing, identical");
    }

    [Fact]
    public void On_sampled_questions_the_case_agrees_with_the_answer_the_world_computes()
    {
        var rng = new Random(5);
        foreach (var kind in QuestionKinds.General)
        {
            for (int i = 0; i < 200; i++)
            {
                var q = QuestionGenerator.Sample(rng, WorldSplit.Eval, kind);
                var label = QuestionCase.Of(q);
                label.Should().Contain(q.Answer ? "answer yes" : "answer no");
                if (kind != QuestionKinds.CompareChanged) continue;
                // "Has X changed?" is Yes exactly when the case names X among the differences.
                var asked = label.Split(", ")[0]["asks ".Length..];
                var differs = label.Split(", ")[^1];
                bool named = asked == "background" ? differs.Contains("background") : differs.Contains($"named object's {asked}");
                named.Should().Be(q.Answer, $"'{q.Question}' is a {label} case");
            }
        }
    }
}
