using NpEdit.Trainers.Editing;
using NpEdit.Trainers.Losses;

namespace NpEdit.Trainers.Benchmarks.Paper;

/// <summary>The rows of the reproduced tables, with the paper's GEdit-Bench Overall (VIEScore, 0-10) beside each.</summary>
public static class PaperRows
{
    /// <param name="weakJudgeFolder">The smaller judge of the judge-scaling row.</param>
    /// <param name="baseReadsWriter">
    /// Whether the base recipe is the main job's (the student reads the caption the writer writes from the image and
    /// instruction). Then one more row trains the paper's editor, which reads the instruction itself, so the table
    /// shows what the writer adds and compares like with like against the supervised baseline (which reads the
    /// instruction too).
    /// </param>
    public static IReadOnlyList<PaperRowSpec> All(string weakJudgeFolder, bool baseReadsWriter = false)
    {
        var rows = Rows(weakJudgeFolder, baseReadsWriter).ToList();
        if (baseReadsWriter)
        {
            rows.Insert(1, new("np-edit-instruction", "NP-Edit, the paper's editor (reads the instruction)", PaperRowKind.NpEdit, "NP-Edit", 6.10,
                o => o.ReadInstructions(),
                Explanation: "NP-Edit with every part on, but the student reads the instruction itself (no writer), with the trainer's default warm-up and VLM weight: the method as the paper trains it."));
        }
        return rows;
    }

    private static IEnumerable<PaperRowSpec> Rows(string weakJudgeFolder, bool baseReadsWriter) =>
    [
        new("np-edit", "NP-Edit (no pairs)", PaperRowKind.NpEdit, "NP-Edit", 6.10,
            Explanation: baseReadsWriter
                ? "The main job's recipe, every part on: the student reads the edited caption the shipped writer writes from the image and instruction; two-step unroll, edit and identity questions with the Yes/No loss, DMD with an online fake score."
                : "The method with every part on: two-step unroll, edit and identity questions with the Yes/No loss, DMD with an online fake score."),
        new("supervised-4", "Supervised (pairs), 4 steps", PaperRowKind.Supervised, "SFT (paired data)", 3.64,
            Explanation: "Same generator and prior, flow matching on ground-truth (source, instruction, target) pairs, same wall-clock budget as NP-Edit, sampled with 4 Euler steps."),
        new("supervised-50", "Supervised (pairs), 50 steps", PaperRowKind.Supervised, "multi-step upper bound", 7.36, SamplingSteps: 50, ReuseModelOf: "supervised-4",
            Explanation: "The supervised model sampled with 50 steps: the upper bound the paper shows with Qwen-Image-Edit at 50 steps."),
        new("zero-shot", "Zero-shot SDEdit (prior), 4 steps", PaperRowKind.ZeroShot, "Turbo-Edit (zero-shot)", 3.84,
            Explanation: "The prior alone: re-noise the source to t0 = 0.6, denoise with the edited caption in 4 steps."),
        new("only-dmd", "Only DMD (no VLM loss)", PaperRowKind.NpEdit, "only DMD", 4.93, o => o.UseVlmLoss = false,
            Explanation: "NP-Edit without the judge: the only signal is distribution matching to the edited caption."),
        new("only-vlm", "Only VLM (no DMD)", PaperRowKind.NpEdit, "only VLM", 1.93, o => o.UseDmdLoss = false,
            Explanation: "NP-Edit without distribution matching: the judge alone, nothing keeps outputs on the image manifold."),
        new("no-identity", "No identity question", PaperRowKind.NpEdit, "no identity question", 5.76, o => o.UseIdentityQuestion = false,
            Explanation: "Only the edit-success question is asked."),
        new("full-vocab-ce", "Full-vocabulary CE", PaperRowKind.NpEdit, "full-vocabulary CE", 5.89, o => o.VlmLoss = VlmLossKind.FullVocabulary,
            Explanation: "Cross-entropy over the judge's whole vocabulary instead of the binary Yes/No loss."),
        new("one-step", "One-step unroll", PaperRowKind.NpEdit, "(not in the paper)", null, o => o.Unroll = UnrollMode.OneStep,
            Explanation: "The VLM and DMD losses see the generator's one-step output instead of the two-step unroll."),
        new("data-1pct", "1% of training rows", PaperRowKind.NpEdit, "1% data", 4.66, DataFraction: 0.01,
            Explanation: "NP-Edit cycling through 1% of the distinct training rows."),
        new("data-10pct", "10% of training rows", PaperRowKind.NpEdit, "(paper: 50% data 5.52)", null, DataFraction: 0.10,
            Explanation: "NP-Edit cycling through 10% of the distinct training rows."),
        new("weak-judge", "Weaker judge", PaperRowKind.NpEdit, "LLaVA-OV 0.5B judge", 4.59, o => o.JudgeFolder = weakJudgeFolder,
            Explanation: "NP-Edit with a smaller judge trained the same way (standing in for 0.5B vs 7B)."),
    ];
}
