using Microsoft.Extensions.Logging;
using NpEdit.Trainers.Losses;
using NpEdit.Trainers.Training;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using NpEdit.Transforms.Sampling;

namespace NpEdit.Trainers.TextToImage;

public sealed partial class TextToImageFlowTrainer
{
    /// <summary>Settings of flow-matching pretraining. Defaults are the ones the shipped shapes prior was trained with.</summary>
    public sealed class Options
    {
        public string ImageColumnName = "Image";
        public string CaptionColumnName = "Caption";
        /// <summary>Column the fitted transformer adds.</summary>
        public string OutputColumnName = "GeneratedImage";

        /// <summary>Architecture of a new model (its vocabulary included). Ignored when <see cref="InitialModelFolder"/> is set.</summary>
        public FlowModelConfig? ModelConfig;
        /// <summary>Start from these weights instead of a random initialisation.</summary>
        public string? InitialModelFolder;

        public int Steps = 6000;
        public int BatchSize = 32;
        public double LearningRate = 5e-4;
        public double Beta1 = 0.9;
        public double Beta2 = 0.99;
        public double WeightDecay = 0.0;
        /// <summary>Linear learning-rate warm-up steps; then cosine decay to <see cref="FinalLearningRateRatio"/>.</summary>
        public int WarmupSteps = 200;
        public double FinalLearningRateRatio = 0.1;
        public double EmaDecay = 0.999;
        public double GradientClip = 1.0;
        /// <summary>Probability that a caption is replaced by the empty prompt, which teaches the unconditional model CFG needs.</summary>
        public double TextDropout = 0.1;
        public TimeDistribution TimeDistribution = TimeDistribution.LogitNormal;
        public double TimeMean = 0.0;
        public double TimeStd = 1.0;
        /// <summary>Time shift applied to training times (match the sampler's, see <see cref="TimeSampling"/>).</summary>
        public double TimeShift = 3.0;
        /// <summary>Time shift at the last step (null = <see cref="TimeShift"/> throughout); between the two it moves
        /// geometrically with the step (<see cref="TimeShiftSchedule"/>).</summary>
        public double? FinalTimeShift;
        /// <summary>Extra loss weight of pixels unlike the image's background (<see cref="ForegroundWeights"/>; 0 = plain
        /// mean squared error, the shipped prior).</summary>
        public double ForegroundWeight = 0.0;
        /// <summary>Weight of the <see cref="CellContentProbe"/> loss (0 = off, the shipped prior). Needs
        /// <see cref="SceneColumnName"/>.</summary>
        public double CellProbeWeight = 0.0;
        /// <summary>The cell probe reads the target tokens after this many transformer blocks.</summary>
        public int CellProbeBlocks = 3;
        /// <summary>Text column with the scene JSON (<see cref="Synthetic.Scene.ToJson"/>) each image renders; read only with a cell probe.</summary>
        public string? SceneColumnName;

        public long Seed = 0;
        public DeviceOption Device = DeviceOption.Auto;
        /// <summary>Intra-op threads (0 = libtorch default).</summary>
        public int Threads = 0;
        /// <summary>Folder for checkpoints; when it holds one, Fit resumes from it.</summary>
        public string? CheckpointFolder;
        public int CheckpointInterval = 500;

        /// <summary>Sampling settings of the fitted transformer.</summary>
        public SamplerOptions Sampler = new() { Steps = 16, GuidanceScale = 3.0, Shift = 3.0 };

        public ILogger? Logger;
        public IProgress<TrainingProgress>? Progress;
        /// <summary>Stops training early (the last checkpoint stays resumable).</summary>
        public CancellationToken Cancellation;
    }
}
