namespace NpEdit.Trainers.Synthetic;

/// <summary>Which question of the NP-Edit VLM loss (ALGORITHM.md, training step 2).</summary>
public enum NpEditQuestionRole
{
    /// <summary>Was the instruction carried out?</summary>
    EditSuccess,
    /// <summary>Is everything the instruction does not name unchanged?</summary>
    Identity,
}

/// <summary>Which images the judge sees for a question.</summary>
public enum JudgeImages
{
    /// <summary>The source image first, then the edited image.</summary>
    SourceAndEdited,
    /// <summary>The edited image alone (the remove variant of the edit-success question).</summary>
    EditedOnly,
}

/// <summary>
/// One NP-Edit question as the trainer asks it: which images to show, the text, and the answer a correct edit
/// earns (the loss is <c>-log sigmoid(l_expected - l_other)</c> over the Yes/No logits).
/// </summary>
public sealed record NpEditQuestion(NpEditQuestionRole Role, JudgeImages Images, string Question, bool ExpectedAnswer, string Kind);
