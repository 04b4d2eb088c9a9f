using Microsoft.Extensions.Logging;
using NpEdit.Trainers.Losses;
using NpEdit.Trainers.Training;
using NpEdit.Transforms.Runtime;
using NpEdit.Transforms.Sampling;

namespace NpEdit.Trainers.Editing;

public sealed partial class NpEditTrainer
{
    /// <summary>
    /// Every setting of NP-Edit training. Defaults are the ones the shipped default world was tuned with on a 2-core
    /// CPU (see docs/results.md); the reimplementation's values for large GPU models are noted where they differ.
    /// </summary>
    public sealed class Options
    {
        // Columns. EditType and EditObject are optional; without EditType every row is asked the generic questions.
        public string ImageColumnName = "Image";
        public string InstructionColumnName = "Instruction";
        public string SourceCaptionColumnName = "SourceCaption";
        public string EditedCaptionColumnName = "EditedCaption";
        public string? EditTypeColumnName = "EditType";
        public string? EditObjectColumnName = "EditObject";
        /// <summary>Optional: a Yes/No question about the edited image alone that a correct edit answers Yes (see <see cref="UseEditQuestion"/>).</summary>
        public string? EditQuestionColumnName = "EditQuestion";
        /// <summary>Column the fitted transformer adds.</summary>
        public string OutputColumnName = "EditedImage";

        /// <summary>The text-to-image prior the student, teacher and fake score start from (default: the shipped one).</summary>
        public string? PriorFolder;
        /// <summary>The frozen VLM judge (default: the shipped one).</summary>
        public string? JudgeFolder;

        // Sampling of the editor: the few-step schedule it is trained for and used with.
        public int SamplingSteps = 4;
        public double TimeShift = 3.0;
        public UnrollMode Unroll = UnrollMode.TwoStep;
        /// <summary>
        /// Show the student its source image (true: an editor). False trains a few-step text-to-image student conditioned
        /// on the instruction column alone: DMD2's distillation of the prior, the check that distribution matching works
        /// apart from editing (<c>prior distill</c>). Needs no copy warm-up.
        /// </summary>
        public bool UseReference = true;
        /// <summary>Fraction of two-step iterations that use the plain one-step case (1/4 in the reimplementation).</summary>
        public double OneStepProbability = 0.25;

        // Loss weights and switches (ablations).
        public bool UseVlmLoss = true;
        public bool UseDmdLoss = true;
        public bool UseIdentityQuestion = true;
        /// <summary>
        /// Also ask add and replace edits a single-image presence question about the edit object (an extension, not
        /// in the paper; see <see cref="Synthetic.NpEditQuestions.PresenceChecks"/>).
        /// </summary>
        public bool UsePresenceChecks = false;
        /// <summary>
        /// Also ask each row's verification question (<see cref="EditQuestionColumnName"/>) of the edited image alone,
        /// expecting Yes (an extension, not in the paper; see <see cref="Synthetic.EditVerification"/>).
        /// </summary>
        public bool UseEditQuestion = false;
        /// <summary>
        /// Ask the judge about this many randomly perturbed copies of each edited image (shift, blur, noise, colour
        /// jitter; expectation over transformation) instead of the image itself; 0 = off (an extension, not in the
        /// paper). Why: pixel patterns that fool the judge should not survive the perturbations, a real edit does.
        /// Measured: the judge's gradient became a little more semantic, the editor did not edit more
        /// (docs/editor.md). Costs one judge pass per copy.
        /// </summary>
        public int VlmAugmentedCopies = 0;
        public VlmLossKind VlmLoss = VlmLossKind.YesNoBinary;
        public double VlmWeight = 0.5;
        public double DmdWeight = 1.0;
        public double DoNothingWeight = 1.0;
        public TemperatureRamp Temperature = new(0.1, 1.0, 400);

        // DMD.
        public double DmdGuidanceScale = 3.5;
        public double DmdTimeMin = 0.02;
        public double DmdTimeMax = 0.98;
        /// <summary>
        /// Re-noisings of each output whose DMD gradients are averaged (1 in the paper; an extension). Why: one
        /// re-noising's gradient is mostly noise. Followed on the pixels of 64 held-out colour edits
        /// (<c>prior dmdcheck</c>), one full step makes the edit in 28 % of images and keeps 14 % of the scenes; five
        /// fifth-steps 66 % and 47 %. Measured in training: 4 samples edited no better than 1 (docs/editor.md).
        /// Costs one teacher and fake forward per sample.
        /// </summary>
        public int DmdSamples = 1;
        /// <summary>
        /// What DMD's fake score is: the online model trained on the generator's outputs (the paper), or the frozen
        /// prior conditioned on the source caption (an extension, after Delta Denoising Score; no fake-score updates).
        /// </summary>
        public FakeScoreKind FakeScore = FakeScoreKind.Online;
        /// <summary>
        /// Average DMD's gradient over blocks of this size before it reaches the generator (1 = off; an extension). Why:
        /// DMD's gradient lays a fine grain over the whole image besides the edit, and the grain is what the generator
        /// learns first (docs/editor.md).
        /// </summary>
        public int DmdGradientPool = 1;
        /// <summary>
        /// Train the fake score at DMD's own re-noising times (uniform in [<see cref="DmdTimeMin"/>, <see cref="DmdTimeMax"/>],
        /// as DMD2 does) instead of the prior's training distribution (logit-normal, shifted). Why: with the shift, the
        /// fake score sees few low times, so there it stays the unguided prior, and DMD's gradient there is the teacher's
        /// guidance direction rather than the gap between the generator and the teacher.
        /// </summary>
        public bool FakeScoreOnDmdTimes = false;
        /// <summary>Fake-score updates per generator step (two-time-scale update; 5 in the reimplementation).</summary>
        public int FakeScoreUpdates = 2;

        // Optimisation.
        /// <summary>
        /// Total steps, the copy warm-up included. The default is what fits the main job's 30-minute budget on a 2-core
        /// CPU; the NP-Edit stage still gains from more (docs/editor.md), so on a GPU give it more.
        /// </summary>
        public int Steps = 2600;
        public int BatchSize = 8;
        /// <summary>
        /// Copy warm-up steps (the generator learns to reproduce the reference) before the main stage. The prior never
        /// saw a reference, so attending to it must be learned first: on the shapes world 200 steps left the copy loss
        /// at 0.03 and the 4-step output kept 15 % of do-nothing rows intact; 1000 steps brought it to 0.01 and 100 %.
        /// </summary>
        public int WarmupCopySteps = 1000;
        /// <summary>
        /// Probability that a copy warm-up row is conditioned on its instruction rather than its source caption. With
        /// the instruction, copying teaches the generator to ignore what the instruction asks for; with the source
        /// caption, the text describes the image it reproduces. Measured: for a student that reads instructions 0 edited no
        /// better than 0.5; for one that reads edited captions (with a <see cref="TextWriterFolder"/>) 0 is better on
        /// every measure (docs/editor.md).
        /// </summary>
        public double WarmupInstructionProbability = 0.5;
        /// <summary>
        /// Probability that the student reads a row's edited caption instead of its instruction in the NP-Edit stage (an
        /// extension, not in the paper; 0 = off). Why: the prior's text encoder never saw an instruction, and trained on
        /// edited captions alone DMD does teach the edits (docs/editor.md); mixed in, the caption rows may show the
        /// student what the instruction's words ask for. The judge's questions still quote the instruction.
        /// </summary>
        public double EditedCaptionTextProbability = 0.0;
        /// <summary>
        /// A judge folder trained to write edited captions (<c>judge train --caption-rows Edits</c>), stored in the fitted
        /// transformer as its <see cref="NpEdit.Transforms.IEditTextWriter"/>: at inference the editor reads the caption
        /// the VLM writes from each source image and instruction. Pair with <see cref="EditedCaptionTextProbability"/> = 1,
        /// so that the student learns to read edited captions, and <see cref="WarmupInstructionProbability"/> = 0, so that
        /// it learns to copy from captions too. Null: the editor reads the instruction.
        /// </summary>
        public string? TextWriterFolder;
        /// <summary>
        /// Probability that, in the NP-Edit stage, a row's student reads the caption the <see cref="TextWriterFolder"/>'s
        /// writer writes from its source image and instruction (what it reads at inference) instead of the true edited
        /// caption (an extension; 0 = off). Why: at inference the writer's mistakes (a small ring written as a square)
        /// are redrawn as written; trained on them, while DMD and the judge still look at the true edit, the student may
        /// learn to keep what the source shows where the caption misreads it. Costs one caption decode per such row.
        /// </summary>
        public double WriterTextProbability = 0.0;

        /// <summary>The VLM loss weight of <see cref="ReadWriterCaptions"/>.</summary>
        public const double WriterVlmWeight = 0.1;

        /// <summary>
        /// The recipe of a student that reads the caption a writer writes (the main job's since 5 Dec): the writer folder,
        /// the edited caption as the student's text on every row, a copy warm-up on source captions only (the student
        /// never reads an instruction), and a fifth of the default VLM weight (the judge is a harsher critic of redrawn
        /// scenes than of copies; at 0.5 its gradient dominated the update). Measured in docs/editor.md.
        /// </summary>
        public Options ReadWriterCaptions(string writerFolder)
        {
            TextWriterFolder = writerFolder;
            EditedCaptionTextProbability = 1.0;
            WarmupInstructionProbability = 0.0;
            VlmWeight = WriterVlmWeight;
            return this;
        }

        /// <summary>Undoes <see cref="ReadWriterCaptions"/>: the student reads the instruction, with the defaults of that recipe.</summary>
        public Options ReadInstructions()
        {
            var defaults = new Options();
            TextWriterFolder = null;
            EditedCaptionTextProbability = defaults.EditedCaptionTextProbability;
            WarmupInstructionProbability = defaults.WarmupInstructionProbability;
            VlmWeight = defaults.VlmWeight;
            return this;
        }

        /// <summary>
        /// Weight of caption consistency (an extension, not in the paper; 0 = off). The student is unrolled a second time,
        /// with the same noise, reading the edited caption; DMD trains that unroll, and the instruction's unroll is pulled
        /// (mean squared error) towards its detached output. Why: read from the edited caption, DMD does teach the edits,
        /// and read from the instruction it does not (docs/editor.md); no image pair is used, only the rows' captions,
        /// which DMD's teacher reads anyway. Costs a third generator call per row.
        /// </summary>
        public double CaptionConsistencyWeight = 0.0;
        public double LearningRate = 1e-4;
        public double FakeLearningRate = 1e-4;
        public double WarmupLearningRate = 3e-4;
        public double Beta1 = 0.0;
        public double Beta2 = 0.9;
        public double GradientClip = 2.0;
        /// <summary>Probability that a row becomes "do nothing." with an MSE pull toward the source.</summary>
        public double DoNothingProbability = 0.01;

        public long Seed = 0;
        public DeviceOption Device = DeviceOption.Auto;
        public int Threads = 0;
        public string? CheckpointFolder;
        public int CheckpointInterval = 250;

        /// <summary>Batch size of the fitted transformer.</summary>
        public int InferenceBatchSize = 16;
        /// <summary>
        /// The fitted transformer refines each edit with one step of the frozen prior at this time (0 = off, the paper's
        /// editor; <see cref="PriorRefinement"/>): the prior is saved in the model file as the refiner. Extension: the
        /// main job (<c>npedit train</c>) uses <see cref="MainJobRefineTime"/>.
        /// </summary>
        public double RefineTime;
        /// <summary>The refinement time of the main job: docs/editor.md measures 0.1-0.5 and picks the middle.</summary>
        public const double MainJobRefineTime = 0.18;

        public ILogger? Logger;
        public IProgress<TrainingProgress>? Progress;
        public CancellationToken Cancellation;

        /// <summary>The sampler the editor is used with.</summary>
        public SamplerOptions Sampler() => new() { Steps = SamplingSteps, Shift = TimeShift, GuidanceScale = 1.0, Mode = SamplerMode.Renoise };
    }
}
