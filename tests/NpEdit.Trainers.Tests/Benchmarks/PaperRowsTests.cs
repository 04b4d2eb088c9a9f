using NpEdit.Trainers.Benchmarks.Paper;
using NpEdit.Trainers.Editing;

namespace NpEdit.Trainers.Tests.Benchmarks;

public sealed class PaperRowsTests
{
    [Fact]
    public void A_base_that_reads_the_writer_adds_the_papers_editor_row_right_after_np_edit()
    {
        var plain = PaperRows.All("weak");
        var withWriter = PaperRows.All("weak", baseReadsWriter: true);

        plain.Select(r => r.Name).Should().NotContain("np-edit-instruction");
        withWriter.Select(r => r.Name).Should().Equal(new[] { "np-edit", "np-edit-instruction" }.Concat(plain.Skip(1).Select(r => r.Name)));
        withWriter.Select(r => r.Name).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void The_papers_editor_row_undoes_exactly_the_writer_recipe()
    {
        var defaults = new NpEditTrainer.Options();
        var options = new NpEditTrainer.Options { Steps = 1234, DmdGuidanceScale = 2.5 }.ReadWriterCaptions("some/writer");
        options.TextWriterFolder.Should().Be("some/writer");

        PaperRows.All("weak", baseReadsWriter: true).Single(r => r.Name == "np-edit-instruction").Configure!(options);

        options.TextWriterFolder.Should().BeNull();
        options.EditedCaptionTextProbability.Should().Be(defaults.EditedCaptionTextProbability);
        options.WarmupInstructionProbability.Should().Be(defaults.WarmupInstructionProbability);
        options.VlmWeight.Should().Be(defaults.VlmWeight);
        options.Steps.Should().Be(1234, "the row changes only the text the student reads");
        options.DmdGuidanceScale.Should().Be(2.5);
    }
}
