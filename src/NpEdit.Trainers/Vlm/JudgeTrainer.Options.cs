using Microsoft.Extensions.Logging;
using Microsoft.ML;
using NpEdit.Trainers.Training;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Trainers.Vlm;

public sealed partial class JudgeTrainer
{
    /// <summary>Settings of judge pretraining. The shipped shapes judge's settings are the command in its manifest
    /// (it sets <see cref="InitStd"/>, <see cref="FullVocabularyAnswerWeight"/>, the probe and the curriculum).</summary>
    public sealed class Options
    {
        /// <summary>Where the rows keep images, question and answer (defaults: the world's judge rows).</summary>
        public JudgeColumns Columns = new();

        /// <summary>Tokenizer of a new judge (its compact vocabulary sizes the model). Ignored when <see cref="InitialJudgeFolder"/> is set.</summary>
        public VlmTokenizer? Tokenizer;
        /// <summary>Architecture of a new judge; null means <see cref="VlmConfig.Tiny"/> sized for <see cref="Tokenizer"/>.</summary>
        public VlmConfig? ModelConfig;
        /// <summary>Continue from a saved judge instead of a random initialisation.</summary>
        public string? InitialJudgeFolder;
        /// <summary>System turn before every question (null: none, which keeps prompts short).</summary>
        public string? SystemPrompt;

        /// <summary>
        /// Weight of the cross-entropy over the whole vocabulary at the answer position (the ordinary language-model
        /// objective, which also makes Yes and No the only likely answers); the rest of the answer loss is the
        /// cross-entropy over the two answer logits only, which is exactly what NP-Edit reads (l_yes - l_no).
        /// Why not all full-vocabulary: from scratch, its first and largest gradient builds one constant
        /// "Yes-or-No" direction in the answer position's residual stream, and a decoder that has learned that sits
        /// at chance: the final norm squashes whatever attention later adds (measured: P(Yes) 0.51 for every image
        /// and question after 500 steps).
        /// </summary>
        public double FullVocabularyAnswerWeight = 1.0;
        /// <summary>Focal weighting of the answer loss (<see cref="FocalWeighting"/>; 0 = the plain mean): each question's
        /// loss times (1 - p(true answer))^gamma, so the few questions a judge gets confidently wrong are not outweighed by
        /// the many it already answers. Not applied to the adversarial attack's loss.</summary>
        public double FocalGamma;
        /// <summary>The first step (0-based) whose answer loss is the plain mean again (null: focal to the end), e.g. the
        /// end of the scene-token steps, where the decoder learns. Measured (docs/judge.md): ending the weights there
        /// left the judge as accurate and no easier to move in the gradient check.</summary>
        public long? FocalUntilStep;

        /// <summary>Standard deviation of a new judge's initial weights (<see cref="VlmWeights.InitializeForTraining"/>).</summary>
        public double InitStd = 0.02;

        public int Steps = 3000;
        public int BatchSize = 64;
        public double LearningRate = 1e-3;
        public double Beta1 = 0.9;
        public double Beta2 = 0.98;
        public double WeightDecay = 0.01;
        public int WarmupSteps = 150;
        public double FinalLearningRateRatio = 0.05;
        public double GradientClip = 1.0;
        /// <summary>Exponential moving average of the weights (0 turns it off); the fitted judge uses the average.</summary>
        public double EmaDecay = 0.995;
        /// <summary>
        /// Question kinds (values of the <see cref="JudgeColumns.Kind"/> column) that the first <see cref="CurriculumSteps"/>
        /// steps train on; rows of other kinds are read and passed over. Why: a decoder trained from scratch sits at
        /// chance until its attention finds the words and image tokens that matter; easy single-image questions
        /// (background, presence, colour) get it there in a few hundred steps, a mixture of every kind takes far longer.
        /// </summary>
        public string[]? CurriculumKinds;
        public int CurriculumSteps;

        /// <summary>Perturbations that make training images look like generator output.</summary>
        public JudgeAugmentation Augmentation = new();

        /// <summary>Optional (image, caption) rows for an auxiliary captioning loss (<see cref="CaptionLoss"/>): dense
        /// grounded supervision that gets a judge trained from scratch off its chance-level plateau much sooner.</summary>
        public IDataView? CaptionRows;
        public string CaptionImageColumnName = "Image";
        public string CaptionColumnName = "Caption";
        /// <summary>When set, each caption row also gives an edit instruction: the prompt asks for the caption of the image after
        /// that edit (<see cref="EditedCaptionWriter.Prompt"/>), so the caption column holds the edited caption and the image is the
        /// source. This trains an <see cref="EditedCaptionWriter"/>.</summary>
        public string? CaptionInstructionColumnName;
        /// <summary>Captions per step, on top of <see cref="BatchSize"/> questions.</summary>
        public int CaptionBatchSize = 16;
        /// <summary>Captions are used for steps before this one (then every step goes to the questions); -1 = all steps.</summary>
        public int CaptionSteps = -1;
        public double CaptionWeight = 1.0;
        /// <summary>Writer training only (<see cref="CaptionInstructionColumnName"/> set): chance that each instruction
        /// token the writer reads is dropped (<see cref="CaptionNoise"/>). 0 = clean instructions.</summary>
        public double CaptionInstructionDropRate;
        /// <summary>Chance that each caption word of one of <see cref="CaptionSwapClasses"/> the model reads is swapped for
        /// another of its class (<see cref="CaptionNoise"/>). 0 = clean captions.</summary>
        public double CaptionAttributeSwapRate;
        /// <summary>Interchangeable caption words for <see cref="CaptionAttributeSwapRate"/>; null = the default world's
        /// (object colours, background colours, shapes, sizes).</summary>
        public IReadOnlyList<IReadOnlyList<string>>? CaptionSwapClasses;
        /// <summary>Chance that a caption row's image is shown in grayscale with its <see cref="CaptionColorWords"/> unscored
        /// (<see cref="CaptionNoise"/>). 0 = every image in colour.</summary>
        public double CaptionGrayscaleRate;
        /// <summary>The colour words for <see cref="CaptionGrayscaleRate"/>; null = the default world's.</summary>
        public IReadOnlyList<string>? CaptionColorWords;
        /// <summary>Train the language model only; the vision tower and projector stay as loaded. Why: a writer started from a
        /// judge inherits image tokens aligned to the world's cells; training the tower on captions moves them away from what
        /// the decoder already reads.</summary>
        public bool FreezeVision;

        /// <summary>Optional (image, scene JSON) rows (<c>WorldDataViews.SceneRows</c>) for an auxiliary <see cref="SceneProbe"/>
        /// loss on the image tokens: dense supervision of background, and of every cell's shape, colour and size.
        /// The probe is trained alongside and discarded; the judge's weights keep their layout.</summary>
        public IDataView? ProbeRows;
        public string ProbeImageColumnName = "Image";
        public string ProbeSceneColumnName = "SceneJson";
        /// <summary>Probe images per step, on top of <see cref="BatchSize"/> questions (0 = off).</summary>
        public int ProbeBatchSize = 32;
        /// <summary>The probe is used for steps before this one; -1 = all steps.</summary>
        public int ProbeSteps = -1;
        public double ProbeWeight = 1.0;
        /// <summary>Weight of <see cref="GroundingLoss"/> on the probe images (0 = off; needs one image token per world cell).</summary>
        public double GroundingWeight = 0.0;

        /// <summary>
        /// The first N steps train the decoder on <see cref="SceneTokens"/> (perfect cell tokens built from the rows'
        /// ground-truth scene columns, <see cref="JudgeColumns.Scene"/>) instead of images; no image is rendered or
        /// encoded. Why: the decoder is what a judge trained from scratch lacks, and it learns about ten times faster
        /// per second this way. Needs one image token per world cell (3x3 pooled tokens).
        /// </summary>
        public int SceneTokenSteps;
        /// <summary>During the scene-token steps, the groups of <see cref="SceneTokenKindGroups"/> join one at a time,
        /// every this many steps; once all have joined, every kind in the data is used (0: every kind from the start).
        /// Why: from scratch, a mixture of every kind stays at chance for a long time, while a few kinds learned together
        /// reach perfect accuracy in about a thousand steps (measured, docs/judge.md). Needs the kind column.</summary>
        public int SceneTokenStageSteps;
        /// <summary>Above 0, a scene-token stage ends when every kind it reads is answered right at least this share of
        /// the time (running average over about the last hundred questions of each kind, <see cref="AdaptiveKindDecay"/>),
        /// but not before <see cref="SceneTokenStageSteps"/> steps (0: fixed-length stages). Why: a group that joins
        /// while the one before it is still learning races it, and which one wins changed with the seed.</summary>
        public double SceneTokenStageAccuracy;
        /// <summary>With <see cref="SceneTokenStageAccuracy"/>, the most steps of a stage (0: no cap), so a stage whose
        /// kinds stall does not hold the others back for the rest of the scene-token steps.</summary>
        public int SceneTokenStageMaxSteps;
        /// <summary>With gated stages (<see cref="SceneTokenStageAccuracy"/>): a first stage still short of its gate at
        /// this step marks an initialisation that learns slowly, and Fit starts over from a fresh one (0: never). Why:
        /// over seven one-hour runs the five that learnt every kind passed the first gate by step 825, the two that
        /// never learnt size and position by the end of the scene-token steps took 1,771 steps and the whole cap
        /// (docs/judge.md, twenty-sixth session); restarting costs minutes, a failed run the hour. Measured on one failing
        /// seed (6): its two fresh initialisations were as slow (first gate at 1,200+ and 1,377 steps), so what makes a
        /// seed slow lies in its rows and random streams as much as in its initial weights.</summary>
        public int SceneTokenFirstStageDeadline;
        /// <summary>How many times <see cref="SceneTokenFirstStageDeadline"/> may start Fit over; the last
        /// initialisation trains on whatever its first stage does. Attempt k initialises from seed
        /// <c>Seed + 1000 k</c> (<see cref="InitAttempts"/>) and reads the same rows.</summary>
        public int InitRestarts;
        public string[][] SceneTokenKindGroups =
        [
            // Presence and colour first, without background: background questions are answered by averaging every
            // image token, and a decoder that finds that shortcut first was slower to learn the object questions.
            [Synthetic.QuestionKinds.Presence, Synthetic.QuestionKinds.Color],
            [Synthetic.QuestionKinds.Background, Synthetic.QuestionKinds.Shape, Synthetic.QuestionKinds.Size, Synthetic.QuestionKinds.Position, Synthetic.QuestionKinds.Count],
            [.. Synthetic.QuestionKinds.TwoImage],
        ];
        /// <summary>Gaussian noise added to the scene tokens during the scene-token steps, relative to their RMS (0: none),
        /// so the decoder learns to read tokens that are only approximately right, as aligned image tokens are.</summary>
        public double SceneTokenNoise;
        /// <summary>Chance that each word of a general question that carries no answer is replaced, dropped or followed by
        /// another word of the training language, in every step from <see cref="QuestionNoiseFromStep"/> (<see cref="QuestionNoise"/>;
        /// 0 = clean questions). Why: a judge with no language beyond its training questions answers held-out phrasings
        /// near chance; 0.15 from step 3000 raised them from 0.73 to 0.88 in a one-hour run (docs/judge.md).</summary>
        public double QuestionNoiseRate;
        /// <summary>The first step (0-based) whose questions are noised. Why later than 0: the first scene-token stage must
        /// grok presence and colour within its steps, and a judge that misses it sits at chance for thousands of steps.</summary>
        public long QuestionNoiseFromStep;
        /// <summary>Share (0 to 1) of the question noise's inserted and swapped-in words that are made-up letter strings
        /// instead of training words (<see cref="QuestionNoise"/>). Why: held-out phrasings bring words the judge has never
        /// read, and a judge that only ever read its training words answered such questions No.</summary>
        public double QuestionNoiseMadeUpShare;
        /// <summary>The first step whose noise has no made-up words again (null: none). Why: made-up words teach the decoder,
        /// which the alignment steps freeze; there they only lengthen the prompts (each is spelled with several character
        /// tokens). The cost was too small to see against run-to-run timing (twenty-third session).</summary>
        public long? QuestionNoiseMadeUpUntilStep;
        /// <summary>Alignment-only images per image step whose one object's colour is blended part of the way toward another
        /// palette colour, aligned to the same blend of the two colours' scene tokens (<see cref="ColorBlends"/>; 0 = none;
        /// needs scene tokens and the alignment loss). Why: aligned only to exact palette colours, the tower's pixel gradient
        /// barely recolours anything, and NP-Edit's editor learns from that gradient.</summary>
        public int ColorBlendImages;
        /// <summary>Relative shares of question kinds in every batch from <see cref="KindWeightsFromStep"/> on (null: the
        /// rows' own mix; needs the kind column). Why: once the single-image kinds are learnt, a uniform mix spends most
        /// of each batch on them while the two-image kinds are still learning (<see cref="Vlm.KindWeights"/>).</summary>
        public KindWeights? KindWeights;
        /// <summary>The first step (0-based) whose batches are drawn with <see cref="KindWeights"/>.</summary>
        public long KindWeightsFromStep;
        /// <summary>The first step drawn without them again (null: none). Why: the image steps pay for every extra
        /// image a two-image row brings, while the scene-token steps, where the decoder learns, barely do.</summary>
        public long? KindWeightsUntilStep;
        /// <summary>Draw the batches from <see cref="KindWeightsFromStep"/> until <see cref="KindWeightsUntilStep"/> with
        /// shares that follow each kind's running training error (<see cref="Vlm.AdaptiveKindWeights"/>; times
        /// <see cref="KindWeights"/> when both are set; needs the kind column). Why: fixed shares and fixed-length stages
        /// let whichever group of kinds is learnt first hold the other back, and which group that is changed with the seed.</summary>
        public bool AdaptiveKindWeights;
        /// <summary>Decay, per question answered, of the error averages behind <see cref="AdaptiveKindWeights"/> and
        /// <see cref="SceneTokenStageAccuracy"/> (0.99: about the last hundred questions of a kind).</summary>
        public double AdaptiveKindDecay = 0.99;
        /// <summary>The least weight a kind has under <see cref="AdaptiveKindWeights"/> (against 0.5 for a kind at chance),
        /// so a learnt kind keeps enough of the batches to show when it is being forgotten.</summary>
        public double AdaptiveKindFloor = 0.1;
        /// <summary>Weight of the <see cref="ComparisonProbe"/> loss on the two-image rows of the scene-token steps (0 = off):
        /// dense labels of what differs between the two images, read from the decoder's residual stream.</summary>
        public double ComparisonProbeWeight;
        /// <summary>Decoder blocks the comparison and count probes read after (-1: all but the last, which is left to pool
        /// what the probes' labels describe into the answer).</summary>
        public int ComparisonProbeLayer = -1;
        /// <summary>Weight of the <see cref="CountProbe"/> loss on every image of the scene-token steps (0 = off): the running
        /// object count at each cell token, read at the same layer as the comparison probe. It trains only from the stage
        /// in which count questions join (with <see cref="SceneTokenStageSteps"/>).</summary>
        public double CountProbeWeight;

        /// <summary>
        /// Adversarial training (<see cref="AdversarialImages"/>): image steps train on the batch's images moved by
        /// this many signed-gradient steps towards the wrong answer, within <see cref="AdversarialEpsilon"/> of each
        /// pixel, with the true answers (0 = off). Each step costs one more forward and backward pass of the judge.
        /// </summary>
        public int AdversarialSteps;
        /// <summary>Largest pixel change of an adversarial image (pixels in [-1, 1]); small enough that no object changes.</summary>
        public double AdversarialEpsilon = 0.06;
        /// <summary>After the scene-token steps, this many steps train only the vision tower, projector and image newline
        /// on images (the decoder frozen), with the answer loss plus <see cref="AlignmentWeight"/> times the alignment loss.</summary>
        public int AlignmentSteps;
        /// <summary>The last this many steps of a scene-token run train the decoder alone on the aligned image tokens: the
        /// vision side frozen, no alignment losses. Why: the decoder learnt the questions on exact scene tokens and, before
        /// these steps, reads the aligned tokens only in the joint steps; a decoder-only continuation of a finished judge
        /// raised its two-image accuracy by 0.036, and these steps cost no tower backward pass. Measured within one 60-minute
        /// run, 1500 of them in place of 1000 alignment and joint steps gave nothing (docs/judge.md).</summary>
        public int DecoderSteps;
        /// <summary>Peak learning rate of the <see cref="DecoderSteps"/>, which have their own warm-up and cosine decay
        /// (the rate of the decoder-only continuation that raised two-image accuracy).</summary>
        public double DecoderLearningRate = 2e-4;
        /// <summary>Weight of the alignment loss in every image step after the scene-token steps: the squared error between
        /// an image's cell tokens and the scene tokens of its ground-truth scene, relative to the scene tokens' power.</summary>
        public double AlignmentWeight = 1.0;
        /// <summary>Weight of the content loss in every image step after the scene-token steps (0 = off): each cell's
        /// image token must lie nearer the scene token of its true contents than those of any other contents
        /// (<see cref="SceneTokens.ContentLoss"/>). Measured: with the squared error alone the aligned tokens name a
        /// cell's shape no better than chance.</summary>
        public double ContentAlignmentWeight;

        public long Seed = 0;
        public DeviceOption Device = DeviceOption.Auto;
        /// <summary>Intra-op threads (0 = libtorch default).</summary>
        public int Threads = 0;
        /// <summary>Folder for checkpoints; when it holds one, Fit resumes from it.</summary>
        public string? CheckpointFolder;
        public int CheckpointInterval = 250;
        /// <summary>Steps between log lines of the training accuracy per question kind (when the rows have a kind column).</summary>
        public int KindAccuracyInterval = 250;

        public ILogger? Logger;
        public IProgress<TrainingProgress>? Progress;
        /// <summary>Stops training early (the last checkpoint stays resumable).</summary>
        public CancellationToken Cancellation;
    }
}
