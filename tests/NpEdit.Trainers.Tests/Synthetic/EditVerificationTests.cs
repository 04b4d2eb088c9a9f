using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class EditVerificationTests
{
    [Theory]
    [InlineData(EditType.Color)]
    [InlineData(EditType.Size)]
    [InlineData(EditType.Move)]
    [InlineData(EditType.Add)]
    [InlineData(EditType.Replace)]
    [InlineData(EditType.Background)]
    public void The_true_target_answers_yes_and_a_copy_of_the_source_answers_no(EditType type)
    {
        foreach (var edit in WorldTestData.Edits(type, 40))
        {
            string question = EditVerification.Question(edit);
            EditVerification.TrueAnswer(edit, edit.Target).Should().BeTrue(question);
            EditVerification.TrueAnswer(edit, edit.Source).Should().BeFalse(question);
        }
    }

    [Theory]
    [InlineData(EditType.Color, "is the {shape} {color}?")]
    [InlineData(EditType.Size, "is the {shape} {size}?")]
    [InlineData(EditType.Move, "is the {shape} in the {pos}?")]
    [InlineData(EditType.Add, "is there a {color} {shape} in the image?")]
    [InlineData(EditType.Replace, "is the object in the {pos} a {shape}?")]
    [InlineData(EditType.Background, "is the background {bg}?")]
    public void Questions_use_the_judges_own_single_image_phrasing(EditType type, string pattern)
    {
        var template = QuestionTemplates.All.Single(t => t.Pattern == pattern);
        template.HeldOut.Should().BeFalse("the judge is trained on it");
        foreach (var edit in WorldTestData.Edits(type, 10))
        {
            template.Matches(EditVerification.Question(edit)).Should().BeTrue(EditVerification.Question(edit));
        }
    }

    [Fact]
    public void A_color_edit_asks_for_the_new_color_of_the_edited_shape()
    {
        var edit = WorldTestData.Edits(EditType.Color, 1).Single();
        var (_, after) = EditedObjects.Find(edit.Source, edit.Target, EditType.Color);
        EditVerification.Question(edit).Should().Be($"is the {WorldVocabulary.ShapeNoun(after!.Shape)} {after.Color.Name}?");
    }

    [Theory]
    [InlineData(EditType.Remove)]
    [InlineData(EditType.DoNothing)]
    public void Remove_and_do_nothing_edits_have_no_verification_question(EditType type)
    {
        foreach (var edit in WorldTestData.Edits(type, 5))
        {
            EditVerification.Question(edit).Should().BeEmpty();
        }
    }
}
