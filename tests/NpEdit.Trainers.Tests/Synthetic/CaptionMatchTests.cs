using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class CaptionMatchTests
{
    [Fact]
    public void An_edited_caption_describes_its_edited_scene_in_every_template_and_object_order_and_not_a_changed_source()
    {
        int checkedSources = 0;
        foreach (var split in new[] { WorldSplit.Train, WorldSplit.Eval })
        {
            for (int i = 0; i < 300; i++)
            {
                var edit = WorldRows.Edit(seed: 3, i, split);
                CaptionMatch.Describes(edit.EditedCaption, edit.Target).Should().BeTrue($"'{edit.EditedCaption}' ({edit.CaptionTemplateId})");
                CaptionMatch.Describes(" " + edit.SourceCaption + " ", edit.Source).Should().BeTrue("surrounding spaces do not matter");
                if (edit.EditType == EditType.DoNothing) continue;
                CaptionMatch.Describes(edit.EditedCaption, edit.Source).Should().BeFalse($"'{edit.EditedCaption}' does not describe the source of a {edit.EditType} edit");
                checkedSources++;
            }
        }
        checkedSources.Should().BeGreaterThan(400);
    }

    [Fact]
    public void A_caption_with_one_wrong_word_does_not_match()
    {
        var edit = WorldRows.Edit(seed: 3, 7, WorldSplit.Train);
        var caption = Captioner.Canonical(edit.Target);
        CaptionMatch.Describes(caption, edit.Target).Should().BeTrue();
        var wrong = caption.Contains("large", StringComparison.Ordinal) ? caption.Replace("large", "small") : caption.Replace("small", "large");
        CaptionMatch.Describes(wrong, edit.Target).Should().BeFalse();
    }
}
