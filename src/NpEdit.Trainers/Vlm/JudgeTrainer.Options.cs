using Microsoft.Extensions.Logging;
using NpEdit.Trainers.Training;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Trainers.Vlm;

public sealed partial class JudgeTrainer
{
    /// <summary>Settings of judge pretraining. Defaults are the ones the shipped shapes judge was trained with.</summary>
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
        /// <summary>Perturbations that make training images look like generator output.</summary>
        public JudgeAugmentation Augmentation = new();

        public long Seed = 0;
        public DeviceOption Device = DeviceOption.Auto;
        /// <summary>Intra-op threads (0 = libtorch default).</summary>
        public int Threads = 0;
        /// <summary>Folder for checkpoints; when it holds one, Fit resumes from it.</summary>
        public string? CheckpointFolder;
        public int CheckpointInterval = 250;

        public ILogger? Logger;
        public IProgress<TrainingProgress>? Progress;
        /// <summary>Stops training early (the last checkpoint stays resumable).</summary>
        public CancellationToken Cancellation;
    }
}
