using Microsoft.ML;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Training;
using NpEdit.Transforms.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

// The staged recipe: decoder on scene tokens, then the vision side aligned to them, then everything together.
public sealed partial class JudgeTrainer
{
    private enum Stage
    {
        SceneTokens,
        Alignment,
        Joint,
        Decoder,
    }

    private static Stage StageAt(Options o, long step) =>
        step < o.SceneTokenSteps ? Stage.SceneTokens
        : step < (long)o.SceneTokenSteps + o.AlignmentSteps ? Stage.Alignment
        : step >= (long)o.Steps - o.DecoderSteps ? Stage.Decoder
        : Stage.Joint;

    private static void ValidateSceneTokens(Options o, VlmConfig config, IDataView input)
    {
        if (o.AlignmentSteps > 0 && o.SceneTokenSteps <= 0)
            throw new ArgumentException("AlignmentSteps needs SceneTokenSteps > 0: the scene tokens it aligns to are learned in those steps.", nameof(o));
        if (o.AlignmentSteps > 0 && o.FreezeVision)
            throw new ArgumentException("AlignmentSteps trains only the vision tower, projector and image newline, which FreezeVision keeps as loaded: drop one of them.", nameof(o));
        if (o.ContentAlignmentWeight > 0 && o.SceneTokenSteps <= 0)
            throw new ArgumentException("ContentAlignmentWeight needs SceneTokenSteps > 0: the scene tokens it aligns to are learned in those steps.", nameof(o));
        if (o.ComparisonProbeWeight > 0 && o.SceneTokenSteps <= 0)
            throw new ArgumentException("ComparisonProbeWeight needs SceneTokenSteps > 0: its labels come from the rows' scenes, which only the scene-token steps read.", nameof(o));
        if (o.CountProbeWeight > 0 && o.SceneTokenSteps <= 0)
            throw new ArgumentException("CountProbeWeight needs SceneTokenSteps > 0: its labels come from the rows' scenes, which only the scene-token steps read.", nameof(o));
        if (o.ComparisonProbeLayer > config.TextConfig.NumHiddenLayers)
            throw new ArgumentException($"ComparisonProbeLayer {o.ComparisonProbeLayer} exceeds the decoder's {config.TextConfig.NumHiddenLayers} layers.", nameof(o));
        if (o.DecoderSteps < 0) throw new ArgumentException($"DecoderSteps must be 0 or more, not {o.DecoderSteps}.", nameof(o));
        if (o.DecoderSteps > 0 && !(o.DecoderLearningRate > 0))
            throw new ArgumentException($"DecoderLearningRate must be positive, not {o.DecoderLearningRate}.", nameof(o));
        if (o.DecoderSteps > 0 && o.SceneTokenSteps <= 0)
            throw new ArgumentException("DecoderSteps ends the staged scene-token recipe and needs SceneTokenSteps > 0; to train a loaded judge's decoder alone, use FreezeVision.", nameof(o));
        if (o.SceneTokenSteps <= 0) return;
        if ((long)o.SceneTokenSteps + o.AlignmentSteps + o.DecoderSteps > o.Steps)
            throw new ArgumentException($"SceneTokenSteps ({o.SceneTokenSteps}) plus AlignmentSteps ({o.AlignmentSteps}) plus DecoderSteps ({o.DecoderSteps}) exceed Steps ({o.Steps}).", nameof(o));
        if (config.PooledPatchesPerSide != SceneLayout.GridSize)
            throw new ArgumentException($"Scene tokens need one image token per world cell ({SceneLayout.GridSize}x{SceneLayout.GridSize} pooled tokens); " +
                $"this config pools to {config.PooledPatchesPerSide}x{config.PooledPatchesPerSide} (e.g. vision image_size 36 with image_pool_stride 3).", nameof(o));
        SchemaChecks.RequireText(input.Schema, o.Columns.Scene, "scene JSON");
        if (o.SceneTokenStageSteps > 0) SchemaChecks.RequireText(input.Schema, o.Columns.Kind, "question kind");
        if (o.SceneTokenStageAccuracy > 0 && o.SceneTokenStageSteps <= 0)
            throw new ArgumentException("SceneTokenStageAccuracy gates the scene-token stages and needs SceneTokenStageSteps > 0 (the least steps of a stage).", nameof(o));
        if (o.SceneTokenFirstStageDeadline < 0 || o.InitRestarts < 0)
            throw new ArgumentException($"SceneTokenFirstStageDeadline ({o.SceneTokenFirstStageDeadline}) and InitRestarts ({o.InitRestarts}) must be 0 or more.", nameof(o));
        if (o.SceneTokenFirstStageDeadline > 0 && !(o.SceneTokenStageAccuracy > 0))
            throw new ArgumentException("SceneTokenFirstStageDeadline needs gated stages (SceneTokenStageAccuracy > 0): it is a deadline for the first gate.", nameof(o));
    }

    // The scene-token stages (null: every kind at every step).
    private static SceneTokenStages? SceneStages(Options o) =>
        o.SceneTokenSteps <= 0 || o.SceneTokenStageSteps <= 0 || o.SceneTokenKindGroups.Length == 0 ? null
        : new SceneTokenStages(o.SceneTokenKindGroups, o.SceneTokenStageSteps, o.SceneTokenStageAccuracy, o.SceneTokenStageMaxSteps);

    // Which parts learn in a stage. Alignment trains the vision side only (gradients still flow through the frozen
    // decoder to the image tokens); the decoder stage the decoder only. The scene tokens are fixed targets after their
    // own stage; they must also be kept out of the optimizer, which would otherwise go on moving them with the momentum
    // of their earlier gradients.
    private static void SetTrainable(LlavaOnevisionModel model, SceneTokens tokens, DecoderProbes? decoderProbes, AdamW optimizer, Stage stage, bool freezeVision)
    {
        void Set(IEnumerable<(string Name, TorchSharp.Modules.Parameter Parameter)> parameters, bool trainable)
        {
            foreach (var (name, p) in parameters)
            {
                p.requires_grad = trainable;
                if (trainable) optimizer.Frozen.Remove(name);
                else optimizer.Frozen.Add(name);
            }
        }
        Set(model.named_parameters().Where(p => p.name.StartsWith("language_model.", StringComparison.Ordinal)), stage != Stage.Alignment);
        Set(model.named_parameters().Where(p => !p.name.StartsWith("language_model.", StringComparison.Ordinal)), !freezeVision && stage != Stage.Decoder);
        Set(tokens.named_parameters().Select(p => ("scene_tokens." + p.name, p.parameter)), stage == Stage.SceneTokens);
        if (decoderProbes is not null) Set(decoderProbes.NamedParameters(), stage == Stage.SceneTokens);
    }

    private (double Loss, double Accuracy, double Comparison, double Count) SceneTokenStep(YesNoScorer scorer, SceneTokens tokens, DecoderProbes? decoderProbes, AdamW optimizer,
        List<SceneQuestionRow> batch, string[]? kinds, long step, Device device)
    {
        var o = TrainerOptions;
        using var scope = NewDisposeScope();
        var cells = tokens.Encode(batch.SelectMany(r => r.Scenes).ToList());
        if (o.SceneTokenNoise > 0)
        {
            // Noise the size of the alignment error still left after aligning: a decoder trained on exact tokens
            // reads aligned image tokens no better than chance (measured: relative error 0.3, accuracy 0.52).
            using var generator = StepRandom.Torch(o.Seed, step, stream: 7);
            var scale = cells.detach().Pow(2).mean().sqrt().Mul(o.SceneTokenNoise);
            cells = cells.Add(torch.randn(cells.shape, generator: generator).to(device).mul(scale));
        }
        var features = scorer.Model.ImageFeaturesFromPooled(cells);
        var questions = StepQuestions(batch.Select(r => (r.Question, r.Kind)), step);
        var queries = new List<JudgeQuery>(batch.Count);
        int next = 0;
        for (int r = 0; r < batch.Count; r++)
        {
            queries.Add(new JudgeQuery(batch[r].Scenes.Select(_ => JudgeImage.FromFeatures(features[next++])).ToArray(), questions[r]));
        }
        optimizer.ZeroGrad();
        YesNoLogits logits;
        Tensor? probeLoss = null;
        double comparisonValue = double.NaN, countValue = double.NaN;
        if (decoderProbes is not null)
        {
            var (scored, tapped, ids) = scorer.ScoreTapped(queries, decoderProbes.TapAfterLayers);
            logits = scored;
            (probeLoss, comparisonValue, countValue) = decoderProbes.Loss(tapped, ids, scorer.Tokenizer.ImageTokenId, scorer.Config.TokensPerImage, batch,
                countQuestions: kinds is null || kinds.Contains(Synthetic.QuestionKinds.Count, StringComparer.Ordinal));
        }
        else
        {
            logits = scorer.Score(queries);
        }
        using var disposeLogits = logits;
        var answers = torch.tensor(batch.Select(r => r.Answer).ToArray(), device: device);
        var loss = AnswerLoss(scorer, logits, answers, o.FullVocabularyAnswerWeight, FocalGammaAt(o, step));
        double value = loss.item<float>();
        var correct = logits.Yes.gt(logits.No).eq(answers);
        _lastCorrect = correct.cpu().data<bool>().ToArray();
        double accuracy = correct.to(ScalarType.Float32).mean().item<float>();
        double probeValue = probeLoss is null ? 0 : probeLoss.item<float>();
        if (!double.IsFinite(value) || !double.IsFinite(probeValue)) return (double.NaN, accuracy, comparisonValue, countValue);
        (probeLoss is null ? loss : loss.Add(probeLoss)).backward();
        if (!optimizer.GradientsAreFinite()) return (double.NaN, accuracy, comparisonValue, countValue);
        optimizer.ClipGradNorm(o.GradientClip);
        optimizer.Step();
        return (value, accuracy, comparisonValue, countValue);
    }

    /// <summary>
    /// Squared error between images' cell tokens (the first 9 of each image's features) and the scene tokens of their
    /// ground-truth scenes (a fixed target), divided by the targets' mean square so its scale does not depend on the
    /// embeddings' size.
    /// </summary>
    internal static Tensor AlignmentLoss(Tensor imageFeatures, SceneTokens tokens, IReadOnlyList<Scene> scenes, IReadOnlyList<ColorBlend>? blends = null)
    {
        using var scope = NewDisposeScope();
        Tensor target;
        using (torch.no_grad()) target = (blends is null ? tokens.Encode(scenes) : tokens.EncodeBlended(scenes, blends)).detach();
        var cells = imageFeatures.narrow(1, 0, SceneTokens.Cells).to(target.dtype);
        var power = target.Pow(2).mean().ClampMin(1e-12);
        return cells.sub(target).Pow(2).mean().div(power).MoveToOuterDisposeScope();
    }

    private static double FocalGammaAt(Options o, long step) => step < (o.FocalUntilStep ?? long.MaxValue) ? o.FocalGamma : 0;

    // Answer loss: a blend of the cross-entropy over the whole vocabulary and over (No, Yes) alone (see
    // Options.FullVocabularyAnswerWeight), each question's weighted by FocalWeighting when focalGamma > 0.
    private static Tensor AnswerLoss(YesNoScorer scorer, YesNoLogits logits, Tensor answers, double fullVocabularyWeight, double focalGamma = 0)
    {
        using var scope = NewDisposeScope();
        var targets = torch.where(answers, torch.tensor(scorer.Tokenizer.YesTokenId, device: answers.device), torch.tensor(scorer.Tokenizer.NoTokenId, device: answers.device)).to(ScalarType.Int64);
        // Gamma 0 keeps the mean reductions of earlier judges, so their runs repeat bit for bit.
        var reduction = focalGamma == 0 ? nn.Reduction.Mean : nn.Reduction.None;
        var loss = nn.functional.cross_entropy(logits.Full, targets, reduction: reduction).Mul(fullVocabularyWeight);
        if (fullVocabularyWeight < 1.0)
        {
            var pair = torch.stack(new[] { logits.No, logits.Yes }, dim: 1);
            loss = loss.Add(nn.functional.cross_entropy(pair, answers.to(ScalarType.Int64), reduction: reduction).Mul(1.0 - fullVocabularyWeight));
        }
        if (focalGamma > 0) loss = FocalWeighting.Mean(loss, logits, answers, focalGamma);
        return loss.MoveToOuterDisposeScope();
    }
}
