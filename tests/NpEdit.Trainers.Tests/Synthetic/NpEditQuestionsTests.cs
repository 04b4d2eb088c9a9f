using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class NpEditQuestionsTests
{
    [Fact]
    public void A_remove_edit_asks_the_edited_image_alone_whether_the_object_is_there_expecting_no()
    {
        var questions = NpEditQuestions.For(EditType.Remove, "remove the circle", "circle");
        questions.Should().HaveCount(2);
        questions[0].Should().Be(new NpEditQuestion(NpEditQuestionRole.EditSuccess, JudgeImages.EditedOnly,
            "does the image have a circle?", false, QuestionKinds.EditRemovePresence));
        questions[1].Role.Should().Be(NpEditQuestionRole.Identity);
        questions[1].Images.Should().Be(JudgeImages.SourceAndEdited);
        questions[1].Question.Should().Contain("ignoring the circle");
        questions[1].ExpectedAnswer.Should().BeTrue();
    }

    [Theory]
    [InlineData(EditType.Color)]
    [InlineData(EditType.Add)]
    [InlineData(EditType.Replace)]
    [InlineData(EditType.Background)]
    [InlineData(EditType.Size)]
    [InlineData(EditType.Move)]
    [InlineData(EditType.DoNothing)]
    public void Other_edits_ask_about_both_images_with_the_instruction_expecting_yes(EditType type)
    {
        var questions = NpEditQuestions.For(type, "make the circle blue", "circle");
        questions.Select(q => q.Role).Should().Equal(NpEditQuestionRole.EditSuccess, NpEditQuestionRole.Identity);
        questions.Should().OnlyContain(q => q.Images == JudgeImages.SourceAndEdited && q.ExpectedAnswer && q.Question.Contains("\"make the circle blue\""));
    }

    [Fact]
    public void Presence_checks_ask_the_edited_image_alone_yes_for_an_added_object_and_no_for_a_replaced_one()
    {
        NpEditQuestions.PresenceChecks(EditType.Add, "star").Should().Equal(new NpEditQuestion(NpEditQuestionRole.EditSuccess,
            JudgeImages.EditedOnly, "does the image have a star?", true, QuestionKinds.EditAddPresence));
        NpEditQuestions.PresenceChecks(EditType.Replace, "circle").Should().Equal(new NpEditQuestion(NpEditQuestionRole.EditSuccess,
            JudgeImages.EditedOnly, "does the image have a circle?", false, QuestionKinds.EditReplacePresence));
        foreach (var type in new[] { EditType.Color, EditType.Remove, EditType.Background, EditType.Size, EditType.Move, EditType.DoNothing })
            NpEditQuestions.PresenceChecks(type, "circle").Should().BeEmpty(type.ToString());
        NpEditQuestions.PresenceChecks(EditType.Add, "").Should().BeEmpty("no object phrase, nothing to ask");
    }

    [Theory]
    [InlineData(EditType.Add)]
    [InlineData(EditType.Replace)]
    public void Presence_checks_pass_on_the_true_target_and_fail_on_a_copy(EditType type)
    {
        foreach (var edit in WorldTestData.Edits(type, 40))
        {
            var check = NpEditQuestions.PresenceChecks(type, edit.ObjectPhrase).Single();
            NpEditQuestions.TrueAnswer(check, edit, edit.Target).Should().Be(check.ExpectedAnswer, edit.Instruction);
            NpEditQuestions.TrueAnswer(check, edit, edit.Source).Should().NotBe(check.ExpectedAnswer, edit.Instruction);
        }
    }

    [Theory]
    [MemberData(nameof(WorldTestData.AllEditTypes), MemberType = typeof(WorldTestData))]
    public void The_true_target_earns_the_expected_answers_and_a_copy_fails_the_edit(EditType type)
    {
        foreach (var edit in WorldTestData.Edits(type, 40))
        {
            foreach (var question in NpEditQuestions.For(edit))
            {
                NpEditQuestions.TrueAnswer(question, edit, edit.Target).Should().Be(question.ExpectedAnswer, question.Question);
                bool copyAnswer = NpEditQuestions.TrueAnswer(question, edit, edit.Source);
                // Copying preserves everything; it fails the edit unless the edit was to do nothing.
                bool copyShouldPass = question.Role == NpEditQuestionRole.Identity || type == EditType.DoNothing;
                (copyAnswer == question.ExpectedAnswer).Should().Be(copyShouldPass, question.Question);
            }
        }
    }

    [Fact]
    public void Judge_rows_from_the_templates_are_balanced_and_truthful()
    {
        var rng = new Random(8);
        var rows = new List<(JudgeQuestion Row, EditSample Edit)>();
        for (int i = 0; i < 800; i++)
        {
            var edit = EditSampler.Sample(SceneSampler.Sample(rng, WorldSplit.Train), rng, WorldSplit.Train);
            rows.Add((NpEditQuestions.SampleJudgeQuestion(edit, rng, WorldSplit.Train), edit));
        }
        (rows.Count(r => r.Row.Answer) / (double)rows.Count).Should().BeInRange(0.45, 0.55);
        foreach (var kind in QuestionKinds.NpEdit)
        {
            var ofKind = rows.Where(r => r.Row.Kind == kind).ToArray();
            ofKind.Should().NotBeEmpty(kind);
            (ofKind.Count(r => r.Row.Answer) / (double)ofKind.Length).Should().BeInRange(0.3, 0.7, kind);
        }
        foreach (var (row, edit) in rows)
        {
            var question = NpEditQuestions.For(edit).Single(q => q.Kind == row.Kind);
            row.Question.Should().Be(question.Question);
            row.Images.Should().HaveCount(question.Images == JudgeImages.EditedOnly ? 1 : 2);
            if (row.Images.Count == 2) row.Images[0].Should().Be(edit.Source);
            NpEditQuestions.TrueAnswer(question, edit, row.Images[^1]).Should().Be(row.Answer);
        }
    }

    [Fact]
    public void Rejected_outputs_include_copies_and_wrong_edits()
    {
        var rng = new Random(9);
        int copies = 0, wrong = 0;
        for (int i = 0; i < 400; i++)
        {
            var edit = EditSampler.Sample(SceneSampler.Sample(rng, WorldSplit.Train), rng, WorldSplit.Train);
            var row = NpEditQuestions.SampleJudgeQuestion(edit, rng, WorldSplit.Train);
            bool rejected = row.Answer != NpEditQuestions.For(edit).Single(q => q.Kind == row.Kind).ExpectedAnswer;
            if (!rejected) continue;
            if (row.Images[^1].SameContent(edit.Source)) copies++;
            else if (!row.Images[^1].SameContent(edit.Target)) wrong++;
        }
        copies.Should().BeGreaterThan(20);
        wrong.Should().BeGreaterThan(20);
    }
}
