namespace NpEdit.Trainers.Editing;

/// <summary>The model DMD's gradient subtracts from the teacher's.</summary>
public enum FakeScoreKind
{
    /// <summary>DMD's fake score: a copy of the prior trained online on the generator's detached outputs, conditioned on
    /// the edited caption (the paper).</summary>
    Online,

    /// <summary>
    /// The frozen prior conditioned on the source caption: the score of a generator that copies its source, which is
    /// where every editor starts after the copy warm-up. DMD then becomes Delta Denoising Score (Hertz et al. 2023).
    /// Why: <c>prior dmdcheck</c> shows this gradient makes the edits on the pixels of held-out sources, while an
    /// online fake score follows the generator's own speckle. Measured: the editor collapses into a high-frequency
    /// pattern within 600 steps, because nothing penalises the generator's own artefacts (docs/editor.md). An
    /// extension, not in the paper; the fake-score model is still kept and checkpointed, untrained.
    /// </summary>
    SourceCaptionPrior,
}
