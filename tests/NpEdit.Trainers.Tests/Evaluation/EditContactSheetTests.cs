using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Evaluation;

public sealed class EditContactSheetTests
{
    [Fact]
    public void The_sheet_labels_each_source_with_the_text_it_is_told_to()
    {
        var rng = new Random(4);
        var edit = EditSampler.Sample(SceneSampler.Sample(rng), rng, WorldSplit.Train);
        edit.EditedCaption.Should().NotBe(edit.Instruction);
        var output = SceneRenderer.Render(edit.Target, 32);
        var row = new EditRowResult(0, edit, output, EditMetrics.Evaluate(output, edit.Source, edit.Target, edit.EditType));

        var byInstruction = EditEvaluation.ContactSheet(new[] { row });
        var explicitInstruction = EditEvaluation.ContactSheet(new[] { row }, label: e => e.Instruction);
        var byCaption = EditEvaluation.ContactSheet(new[] { row }, label: e => e.EditedCaption);

        explicitInstruction.Pixels.Should().Equal(byInstruction.Pixels, "the instruction is the default label");
        byCaption.Width.Should().Be(byInstruction.Width);
        byCaption.Pixels.Should().NotEqual(byInstruction.Pixels, "another text is drawn under the source");
    }
}
