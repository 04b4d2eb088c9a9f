using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Editing;

/// <summary>One NP-Edit training row: a source image and texts, never a target image.</summary>
/// <param name="EditQuestion">An optional Yes/No question about the edited image alone that a correct edit answers Yes ("" when none).</param>
public sealed record EditRow(RgbImage Source, string Instruction, string SourceCaption, string EditedCaption, EditType? EditType, string EditObject, string EditQuestion = "")
{
    /// <summary>The row turned into NP-Edit's "do nothing" example: the edited caption is the source caption.</summary>
    public EditRow AsDoNothing() => this with { Instruction = "do nothing.", EditedCaption = SourceCaption, EditType = Synthetic.EditType.DoNothing, EditObject = "", EditQuestion = "" };
}
