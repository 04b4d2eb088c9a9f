namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// One sampled edit: what the instruction says, the object it names (a shape noun such as "circle"; empty for
/// background and do-nothing edits), captions of the source and of the edited scene, and both scenes.
/// <see cref="Target"/> is ground truth for evaluation only: training rows never carry it.
/// </summary>
public sealed record EditSample(
    EditType EditType,
    string Instruction,
    string ObjectPhrase,
    string SourceCaption,
    string EditedCaption,
    Scene Source,
    Scene Target,
    string InstructionTemplateId,
    string CaptionTemplateId)
{
    /// <summary>True when a held-out template or colour/shape combination is involved (only possible in <see cref="WorldSplit.Eval"/>).</summary>
    public bool UsesHeldOut =>
        HeldOut.IsHeldOutTemplate(InstructionTemplateId)
        || HeldOut.IsHeldOutTemplate(CaptionTemplateId)
        || HeldOut.ContainsHeldOutCombination(Source)
        || HeldOut.ContainsHeldOutCombination(Target);
}
