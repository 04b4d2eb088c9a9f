using Microsoft.ML;
using Microsoft.ML.Data;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Training;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

[Collection(DeterminismCollection.Name)]
public sealed class JudgeSceneTokenTests
{
    private static readonly Lazy<VlmTokenizer> WorldTokenizer = new(() => ShapesJudge.CreateTokenizer());

    // 12 px, patch 2, pool stride 2: one image token per world cell.
    private static VlmConfig CellConfig(int poolStride = 2)
    {
        var tokenizer = WorldTokenizer.Value;
        var config = TestVlms.Config(tokenizer.Compact!.Count, tokenizer.ImageTokenId, poolStride);
        return config with { VisionConfig = config.VisionConfig with { ImageSize = 12 } };
    }

    internal static JudgeTrainer.Options Options(string? checkpoints = null, int poolStride = 2) => new()
    {
        Tokenizer = WorldTokenizer.Value,
        ModelConfig = CellConfig(poolStride),
        Steps = 6,
        SceneTokenSteps = 2,
        SceneTokenStageSteps = 1,
        SceneTokenNoise = 0.3,
        AlignmentSteps = 2,
        BatchSize = 6,
        LearningRate = 1e-2,
        WarmupSteps = 1,
        Threads = 1,
        CheckpointFolder = checkpoints,
        CheckpointInterval = 2,
        Seed = 3,
        EmaDecay = 0,
    };

    internal static IDataView Rows(MLContext context) => WorldDataViews.JudgeRows(context, 20_000, seed: 4, size: 12);

    [Fact]
    public void Scene_token_steps_train_the_decoder_alignment_trains_only_the_vision_side_and_a_resume_matches()
    {
        var context = new MLContext(seed: 0);
        string folder = Path.Combine(Path.GetTempPath(), "judge-scene-" + Guid.NewGuid().ToString("N"));
        try
        {
            var straightTrainer = new JudgeTrainer(context, Options());
            using var straight = straightTrainer.Fit(Rows(context));
            var history = straightTrainer.LossHistory;
            history.Take(2).Should().OnlyContain(h => !h.Losses.ContainsKey("align") && double.IsFinite(h.Losses["ce"]), "the first steps read scene tokens, not images");
            history.Skip(2).Should().OnlyContain(h => double.IsFinite(h.Losses["align"]), "every image step after them aligns the image tokens");

            // Stop after the alignment steps: checkpoints at steps 2 and 4 are both kept.
            using var cancel = new CancellationTokenSource();
            var first = Options(folder);
            first.Cancellation = cancel.Token;
            first.Progress = new SynchronousProgress(p => { if (p.Step == 4) cancel.Cancel(); });
            var interrupted = () => new JudgeTrainer(context, first).Fit(Rows(context));
            interrupted.Should().Throw<OperationCanceledException>();
            var afterScenes = ModelWeights(folder, 2);
            var afterAlignment = ModelWeights(folder, 4);
            foreach (var (key, value) in afterScenes)
            {
                bool same = value.eq(afterAlignment[key]).all().item<bool>();
                if (key.StartsWith("language_model.", StringComparison.Ordinal)) same.Should().BeTrue($"{key} is frozen during alignment");
            }
            afterScenes.Where(kv => kv.Key.StartsWith("vision_tower.", StringComparison.Ordinal))
                .Should().Contain(kv => !kv.Value.eq(afterAlignment[kv.Key]).all().item<bool>(), "alignment trains the vision tower");

            var resumedTrainer = new JudgeTrainer(context, Options(folder));
            using var resumed = resumedTrainer.Fit(Rows(context));
            foreach (var (key, value) in straight.Model.state_dict())
            {
                resumed.Model.state_dict()[key].eq(value).all().item<bool>().Should().BeTrue($"{key} is bit-identical after resume");
            }
            resumed.Model.state_dict().Keys.Should().NotContain(k => k.Contains("scene"), "scene tokens are not part of the judge");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Question_noise_changes_what_the_steps_read_and_repeats_with_the_seed()
    {
        var context = new MLContext(seed: 0);
        JudgeTransformer Fit(double rate, long from = 0, double madeUp = 0, long? madeUpUntil = null)
        {
            var o = Options();
            o.Steps = 4; // 2 scene-token, 2 alignment steps
            o.QuestionNoiseRate = rate;
            o.QuestionNoiseFromStep = from;
            o.QuestionNoiseMadeUpShare = madeUp;
            o.QuestionNoiseMadeUpUntilStep = madeUpUntil;
            return new JudgeTrainer(context, o).Fit(Rows(context));
        }
        using var clean = Fit(0);
        using var noisy = Fit(0.5);
        using var again = Fit(0.5);
        using var late = Fit(0.5, from: 4);
        using var madeUp = Fit(0.5, madeUp: 0.5);
        madeUp.Model.state_dict().Where(kv => kv.Key.StartsWith("language_model.", StringComparison.Ordinal))
            .Should().Contain(kv => !kv.Value.eq(noisy.Model.state_dict()[kv.Key]).all().item<bool>(), "made-up words are read instead of some training words");
        using var madeUpFromStart = Fit(0.5, madeUp: 0.5, madeUpUntil: 0);
        foreach (var (key, value) in noisy.Model.state_dict())
        {
            value.eq(madeUpFromStart.Model.state_dict()[key]).all().item<bool>().Should().BeTrue($"{key}: made-up words until step 0 is no made-up words");
        }
        var shareWithoutNoise = () => new JudgeTrainer(context, WithOptions(o => o.QuestionNoiseMadeUpShare = 0.5));
        shareWithoutNoise.Should().Throw<ArgumentException>().WithMessage("*QuestionNoiseMadeUpShare*QuestionNoiseRate*");
        var badShare = () => new JudgeTrainer(context, WithOptions(o => { o.QuestionNoiseRate = 0.1; o.QuestionNoiseMadeUpShare = -0.1; }));
        badShare.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*QuestionNoiseMadeUpShare*");
        var badUntil = () => new JudgeTrainer(context, WithOptions(o => { o.QuestionNoiseRate = 0.1; o.QuestionNoiseMadeUpShare = 0.5; o.QuestionNoiseMadeUpUntilStep = -1; }));
        badUntil.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*QuestionNoiseMadeUpUntilStep*");
        var decoder = clean.Model.state_dict().Where(kv => kv.Key.StartsWith("language_model.", StringComparison.Ordinal)).ToList();
        decoder.Should().Contain(kv => !kv.Value.eq(noisy.Model.state_dict()[kv.Key]).all().item<bool>(), "noised questions train the decoder differently");
        foreach (var (key, value) in noisy.Model.state_dict())
        {
            value.eq(again.Model.state_dict()[key]).all().item<bool>().Should().BeTrue($"{key} repeats with the seed");
        }
        foreach (var (key, value) in clean.Model.state_dict())
        {
            value.eq(late.Model.state_dict()[key]).all().item<bool>().Should().BeTrue($"{key}: no step before the first noised one reads noise");
        }
    }

    [Fact]
    public void Color_blends_change_the_alignment_steps_and_repeat_with_the_seed()
    {
        var context = new MLContext(seed: 0);
        JudgeTrainer Trainer(int blends) => new(context, WithOptions(o => { o.Steps = 4; o.ColorBlendImages = blends; })); // 2 scene-token, 2 alignment steps
        var plainTrainer = Trainer(0);
        using var plain = plainTrainer.Fit(Rows(context));
        var blendedTrainer = Trainer(4);
        using var blended = blendedTrainer.Fit(Rows(context));
        using var again = Trainer(4).Fit(Rows(context));
        ShouldBeBitIdentical(blended, again);
        ShouldDiffer(plain, blended, "the blended images' alignment moves the vision side");
        blendedTrainer.LossHistory.Take(2).Select(h => h.Losses["ce"]).Should().Equal(plainTrainer.LossHistory.Take(2).Select(h => h.Losses["ce"]), "scene-token steps read no images");
        blendedTrainer.LossHistory[2].Losses["ce"].Should().Be(plainTrainer.LossHistory[2].Losses["ce"], "blended images are never asked a question");
        blendedTrainer.LossHistory[2].Losses["align"].Should().NotBe(plainTrainer.LossHistory[2].Losses["align"], "they are aligned with the batch");
        var negative = () => new JudgeTrainer(context, WithOptions(o => o.ColorBlendImages = -1));
        negative.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*ColorBlendImages*");
        var withoutSceneTokens = () => new JudgeTrainer(context, WithOptions(o => { o.SceneTokenSteps = 0; o.ColorBlendImages = 2; }));
        withoutSceneTokens.Should().Throw<ArgumentException>().WithMessage("*ColorBlendImages*SceneTokenSteps*");
    }

    private static JudgeTrainer.Options WithOptions(Action<JudgeTrainer.Options> set)
    {
        var o = Options();
        set(o);
        return o;
    }

    [Fact]
    public void Kind_weights_change_which_rows_the_steps_read_and_repeat_with_the_seed()
    {
        var context = new MLContext(seed: 0);
        JudgeTransformer Fit(KindWeights? weights, long from = 0, long? until = null)
        {
            var o = Options();
            o.Steps = 4; // 2 scene-token, 2 alignment steps
            o.KindWeights = weights;
            o.KindWeightsFromStep = from;
            o.KindWeightsUntilStep = until;
            return new JudgeTrainer(context, o).Fit(Rows(context));
        }
        var twoImage = KindWeights.Parse(string.Join(",", QuestionKinds.TwoImage.Select(k => k + "=4")));
        using var plain = Fit(null);
        using var weighted = Fit(twoImage);
        using var again = Fit(twoImage);
        using var late = Fit(twoImage, from: 4);
        using var ended = Fit(twoImage, from: 0, until: 0);
        using var scope = torch.NewDisposeScope(); // the comparisons' tensors
        var (plainState, weightedState) = (plain.Model.state_dict(), weighted.Model.state_dict());
        var (againState, lateState, endedState) = (again.Model.state_dict(), late.Model.state_dict(), ended.Model.state_dict());
        plainState.Should().Contain(kv => !kv.Value.eq(weightedState[kv.Key]).all().item<bool>(), "weighted kinds make other batches");
        foreach (var (key, value) in weightedState)
        {
            value.eq(againState[key]).all().item<bool>().Should().BeTrue($"{key} repeats with the seed");
        }
        foreach (var (key, value) in plainState)
        {
            value.eq(lateState[key]).all().item<bool>().Should().BeTrue($"{key}: no step before the first weighted one is drawn differently");
            value.eq(endedState[key]).all().item<bool>().Should().BeTrue($"{key}: no step from the first unweighted one on is drawn differently");
        }
    }

    // Fits with checkpoints, cancelled after the given steps; returns the state of the checkpoint it left.
    private static IReadOnlyDictionary<string, string> InterruptAfter(MLContext context, JudgeTrainer.Options options, long steps, string? checkpointsLeftIn = null)
    {
        using var cancel = new CancellationTokenSource();
        options.Cancellation = cancel.Token;
        options.Progress = new SynchronousProgress(p => { if (p.Step == steps) cancel.Cancel(); });
        var interrupted = () => new JudgeTrainer(context, options).Fit(Rows(context));
        interrupted.Should().Throw<OperationCanceledException>();
        return new CheckpointFolder(checkpointsLeftIn ?? options.CheckpointFolder!).TryLoadLatest()!.State;
    }

    private static void ShouldDiffer(JudgeTransformer a, JudgeTransformer b, string because)
    {
        using var scope = torch.NewDisposeScope();
        var (aState, bState) = (a.Model.state_dict(), b.Model.state_dict());
        aState.Should().Contain(kv => !kv.Value.eq(bState[kv.Key]).all().item<bool>(), because);
    }

    private static void ShouldBeBitIdentical(JudgeTransformer straight, JudgeTransformer resumed)
    {
        using var scope = torch.NewDisposeScope();
        var resumedState = resumed.Model.state_dict();
        foreach (var (key, value) in straight.Model.state_dict())
        {
            value.eq(resumedState[key]).all().item<bool>().Should().BeTrue($"{key} is bit-identical after resume");
        }
    }

    [Fact]
    public void Adaptive_kind_weights_change_the_batches_keep_their_state_in_checkpoints_and_a_resume_matches()
    {
        var context = new MLContext(seed: 0);
        string folder = Path.Combine(Path.GetTempPath(), "judge-adaptive-" + Guid.NewGuid().ToString("N"));
        JudgeTrainer.Options Adaptive(string? checkpoints)
        {
            var o = Options(checkpoints);
            o.AdaptiveKindWeights = true;
            o.AdaptiveKindDecay = 0.5; // a few answers move the weights, so six steps show it
            return o;
        }
        try
        {
            using var plain = new JudgeTrainer(context, Options()).Fit(Rows(context));
            using var straight = new JudgeTrainer(context, Adaptive(null)).Fit(Rows(context));

            var state = InterruptAfter(context, Adaptive(folder), steps: 2);
            state.Keys.Should().Contain(k => k.StartsWith("kind_error.", StringComparison.Ordinal), "the error averages are part of the checkpoint");
            using var resumed = new JudgeTrainer(context, Adaptive(folder)).Fit(Rows(context));

            ShouldDiffer(plain, straight, "adaptive weights make other batches");
            ShouldBeBitIdentical(straight, resumed);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Gated_stages_keep_their_stage_in_checkpoints_and_a_resume_matches()
    {
        var context = new MLContext(seed: 0);
        string folder = Path.Combine(Path.GetTempPath(), "judge-gated-" + Guid.NewGuid().ToString("N"));
        JudgeTrainer.Options Gated(string? checkpoints, double gate = 0.99)
        {
            var o = Options(checkpoints);
            (o.SceneTokenSteps, o.AlignmentSteps) = (4, 0);
            o.SceneTokenStageAccuracy = gate; // out of reach in four steps: each stage runs to its cap of 2
            o.SceneTokenStageMaxSteps = 2;
            return o;
        }
        try
        {
            var fixedStages = Options();
            (fixedStages.SceneTokenSteps, fixedStages.AlignmentSteps) = (4, 0);
            using var plain = new JudgeTrainer(context, fixedStages).Fit(Rows(context));
            using var straight = new JudgeTrainer(context, Gated(null)).Fit(Rows(context));

            var state = InterruptAfter(context, Gated(folder), steps: 2);
            (state["scene_stage"], state["scene_stage_start"]).Should().Be(("1", "2"), "the first stage ran to its cap and the second began at step 2");
            using var resumed = new JudgeTrainer(context, Gated(folder)).Fit(Rows(context));

            ShouldDiffer(plain, straight, "two-step stages read other kinds than one-step ones");
            ShouldBeBitIdentical(straight, resumed);
            var unstaged = Gated(null);
            unstaged.SceneTokenStageSteps = 0;
            var refused = () => new JudgeTrainer(context, unstaged).Fit(Rows(context));
            refused.Should().Throw<ArgumentException>().WithMessage("*SceneTokenStageSteps*");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_first_stage_past_its_deadline_starts_over_from_a_fresh_initialisation_and_a_resume_matches()
    {
        var context = new MLContext(seed: 0);
        string folder = Path.Combine(Path.GetTempPath(), "judge-restart-" + Guid.NewGuid().ToString("N"));
        JudgeTrainer.Options Slow(string? checkpoints, int restarts)
        {
            var o = Options(checkpoints);
            (o.SceneTokenSteps, o.AlignmentSteps) = (4, 0);
            o.SceneTokenStageAccuracy = 0.99; // out of reach: the first stage misses a deadline of 2 steps
            o.SceneTokenStageMaxSteps = 3;
            o.SceneTokenFirstStageDeadline = 2;
            o.InitRestarts = restarts;
            return o;
        }
        try
        {
            var keptTrainer = new JudgeTrainer(context, Slow(null, restarts: 0));
            using var kept = keptTrainer.Fit(Rows(context));
            keptTrainer.LastFitRestarts.Should().Be(0, "no restart is allowed");
            var restartedTrainer = new JudgeTrainer(context, Slow(null, restarts: 1));
            using var restarted = restartedTrainer.Fit(Rows(context));
            restartedTrainer.LastFitRestarts.Should().Be(1, "the first initialisation missed the deadline, the last one trains on");
            restartedTrainer.LossHistory.Should().HaveCount(6, "the history is the last attempt's whole run");
            ShouldDiffer(kept, restarted, "the second attempt starts from another initialisation");

            // Interrupted during the second attempt, the run resumes that attempt from its own checkpoints.
            InterruptAfter(context, Slow(folder, restarts: 1), steps: 4, InitAttempts.Folder(folder, 1));
            InitAttempts.Resumed(folder).Should().Be(1);
            using var resumed = new JudgeTrainer(context, Slow(folder, restarts: 1)).Fit(Rows(context));
            ShouldBeBitIdentical(restarted, resumed);

            var ungated = Slow(null, restarts: 1);
            ungated.SceneTokenStageAccuracy = 0;
            var refused = () => new JudgeTrainer(context, ungated).Fit(Rows(context));
            refused.Should().Throw<ArgumentException>().WithMessage("*SceneTokenFirstStageDeadline needs gated stages*");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Focal_weighting_changes_the_scene_token_and_image_steps_a_resume_matches_and_it_ends_at_its_step()
    {
        var context = new MLContext(seed: 0);
        string folder = Path.Combine(Path.GetTempPath(), "judge-focal-" + Guid.NewGuid().ToString("N"));
        JudgeTrainer.Options Focal(string? checkpoints)
        {
            var o = Options(checkpoints);
            o.FocalGamma = 2;
            return o;
        }
        try
        {
            var plainTrainer = new JudgeTrainer(context, Options());
            using var plain = plainTrainer.Fit(Rows(context));
            var focalTrainer = new JudgeTrainer(context, Focal(null));
            using var straight = focalTrainer.Fit(Rows(context));
            // The same first batch (same seed and rows): its weighted mean loss is below the plain mean, as every weight is below 1.
            focalTrainer.LossHistory[0].Losses["ce"].Should().BeLessThan(plainTrainer.LossHistory[0].Losses["ce"]);
            focalTrainer.LossHistory.Skip(2).Should().OnlyContain(h => double.IsFinite(h.Losses["ce"]) && double.IsFinite(h.Losses["align"]), "the image steps are weighted too");

            InterruptAfter(context, Focal(folder), steps: 2);
            using var resumed = new JudgeTrainer(context, Focal(folder)).Fit(Rows(context));

            ShouldDiffer(plain, straight, "focal weights change every update");
            ShouldBeBitIdentical(straight, resumed);

            var endedAtOnce = Focal(null);
            endedAtOnce.FocalUntilStep = 0;
            using var unweighted = new JudgeTrainer(context, endedAtOnce).Fit(Rows(context));
            ShouldBeBitIdentical(plain, unweighted);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Alignment_steps_bring_the_image_tokens_towards_the_scene_tokens()
    {
        var context = new MLContext(seed: 0);
        var o = Options();
        o.Steps = 42;
        o.SceneTokenSteps = 2;
        o.AlignmentSteps = 40;
        o.LearningRate = 3e-3;
        o.WarmupSteps = 5;
        o.CheckpointFolder = null;
        var trainer = new JudgeTrainer(context, o);
        trainer.Fit(Rows(context)).Dispose();
        var align = trainer.LossHistory.Skip(2).Select(h => h.Losses["align"]).ToList();
        align.TakeLast(10).Average().Should().BeLessThan(0.7 * align.Take(5).Average(), $"alignment trains the vision side to produce the scene tokens ({string.Join(", ", align.Select(a => a.ToString("F3")))})");
        trainer.LossHistory.Skip(2).Should().OnlyContain(h => h.Losses["cells"] >= 0 && h.Losses["cells"] <= 1, "image steps report how many cell tokens name their contents");
        trainer.LossHistory.Take(2).Should().OnlyContain(h => !h.Losses.ContainsKey("cells"), "scene-token steps have no image tokens to read");
    }

    [Fact]
    public void Decoder_steps_train_the_decoder_alone_without_alignment_losses()
    {
        var context = new MLContext(seed: 0);
        string folder = Path.Combine(Path.GetTempPath(), "judge-decoder-" + Guid.NewGuid().ToString("N"));
        try
        {
            var o = Options(folder);
            o.Steps = 8;
            o.DecoderSteps = 2; // 2 scene-token, 2 alignment, 2 joint, 2 decoder steps
            var trainer = new JudgeTrainer(context, o);
            trainer.Fit(Rows(context)).Dispose();
            var history = trainer.LossHistory;
            history.Skip(2).Take(4).Should().OnlyContain(h => double.IsFinite(h.Losses["align"]), "alignment and joint steps align the image tokens");
            history.Skip(6).Should().OnlyContain(h => !h.Losses.ContainsKey("align") && !h.Losses.ContainsKey("content") && double.IsFinite(h.Losses["ce"]),
                "decoder steps have no alignment losses");
            history.Skip(6).Should().OnlyContain(h => h.Losses.ContainsKey("cells"), "they still report how the frozen tokens read");
            history.Skip(6).Should().OnlyContain(h => h.Losses["lr"] > 0 && h.Losses["lr"] <= o.DecoderLearningRate, "decoder steps follow their own schedule");
            history[5].Losses["lr"].Should().BeGreaterThan(o.DecoderLearningRate, "the image steps before them decay from the main rate");

            var beforeDecoder = ModelWeights(folder, 6);
            var after = ModelWeights(folder, 8);
            foreach (var (key, value) in beforeDecoder.Where(kv => !kv.Key.StartsWith("language_model.", StringComparison.Ordinal)))
            {
                value.eq(after[key]).all().item<bool>().Should().BeTrue($"{key} is frozen in the decoder steps");
            }
            beforeDecoder.Where(kv => kv.Key.StartsWith("language_model.", StringComparison.Ordinal))
                .Should().Contain(kv => !kv.Value.eq(after[kv.Key]).all().item<bool>(), "the decoder steps train the decoder");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }

        var alone = Options();
        alone.SceneTokenSteps = 0;
        alone.AlignmentSteps = 0;
        alone.DecoderSteps = 2;
        var withoutScenes = () => new JudgeTrainer(context, alone).Fit(Rows(context));
        withoutScenes.Should().Throw<ArgumentException>().WithMessage("*DecoderSteps ends the staged scene-token recipe*FreezeVision*");
        var noRate = Options();
        noRate.Steps = 8;
        noRate.DecoderSteps = 2;
        noRate.DecoderLearningRate = 0;
        var zeroRate = () => new JudgeTrainer(context, noRate).Fit(Rows(context));
        zeroRate.Should().Throw<ArgumentException>().WithMessage("*DecoderLearningRate must be positive*");
        var tooMany = Options();
        tooMany.DecoderSteps = 3;
        var exceeding = () => new JudgeTrainer(context, tooMany).Fit(Rows(context));
        exceeding.Should().Throw<ArgumentException>().WithMessage("*plus DecoderSteps (3) exceed Steps (6)*");
    }

    [Fact]
    public void Scene_tokens_need_one_image_token_per_cell_and_alignment_needs_scene_tokens_and_a_vision_tower_to_train()
    {
        var context = new MLContext(seed: 0);
        var wrongPooling = () => new JudgeTrainer(context, Options(poolStride: 3)).Fit(Rows(context));
        wrongPooling.Should().Throw<ArgumentException>().WithMessage("*one image token per world cell*");
        var o = Options();
        o.SceneTokenSteps = 0;
        var alignmentAlone = () => new JudgeTrainer(context, o).Fit(Rows(context));
        alignmentAlone.Should().Throw<ArgumentException>().WithMessage("*AlignmentSteps needs SceneTokenSteps*");
        o.AlignmentSteps = 0;
        o.ContentAlignmentWeight = 1;
        var contentAlone = () => new JudgeTrainer(context, o).Fit(Rows(context));
        contentAlone.Should().Throw<ArgumentException>().WithMessage("*ContentAlignmentWeight needs SceneTokenSteps*");
        var frozen = Options();
        frozen.FreezeVision = true;
        var alignFrozen = () => new JudgeTrainer(context, frozen).Fit(Rows(context));
        alignFrozen.Should().Throw<ArgumentException>().WithMessage("*AlignmentSteps trains only the vision tower*FreezeVision*");
    }

    [Fact]
    public void Scene_tokens_are_per_cell_sums_and_the_alignment_loss_is_zero_on_them()
    {
        var scenes = Enumerable.Range(0, 3).Select(i => SceneSampler.Sample(new Random(i), WorldSplit.Train)).ToList();
        using var tokens = new SceneTokens(hiddenSize: 8, initStd: 0.1, seed: 1);
        using var encoded = tokens.Encode(scenes);
        encoded.shape.Should().Equal(3, 9, 8);
        // Two empty cells of the same scene differ only by their place embedding.
        var empty = Enumerable.Range(0, 9).Where(c => !scenes[0].Objects.Any(o => o.CellIndex == c)).Take(2).ToArray();
        if (empty.Length == 2)
        {
            var cell = tokens.state_dict()["cell"];
            encoded[0, empty[0]].sub(cell[empty[0]]).allclose(encoded[0, empty[1]].sub(cell[empty[1]])).Should().BeTrue();
        }
        var features = torch.cat(new[] { encoded, torch.zeros(3, 1, 8) }, 1); // + a newline slot
        JudgeTrainer.AlignmentLoss(features, tokens, scenes).item<float>().Should().Be(0f);
        JudgeTrainer.AlignmentLoss(torch.zeros_like(features), tokens, scenes).item<float>().Should().BeApproximately(1f, 1e-5f, "zero tokens are off by the targets' full power");
    }

    [Fact]
    public void Reading_cells_names_each_cells_contents_by_its_nearest_scene_token()
    {
        var scenes = Enumerable.Range(0, 4).Select(i => SceneSampler.Sample(new Random(10 + i), WorldSplit.Train)).ToList();
        using var tokens = new SceneTokens(hiddenSize: 16, initStd: 0.1, seed: 2);
        using var exact = tokens.Encode(scenes);
        tokens.ReadCells(exact, scenes).Should().Be(new CellReading(1, 1, 1, 1));

        // Give one occupied cell the token of the same cell with the object's colour changed.
        int i = scenes.FindIndex(s => s.Objects.Count > 0);
        var target = scenes[i].Objects[0];
        var other = Palette.ObjectColors.First(c => c != target.Color);
        var recoloured = scenes[i] with { Objects = scenes[i].Objects.Select(o => o == target ? o with { Color = other } : o).ToList() };
        using var wrong = tokens.Encode(new[] { recoloured });
        using var swapped = exact.clone();
        using (no_grad()) swapped[i, target.CellIndex] = wrong[0, target.CellIndex];
        int occupied = scenes.Sum(s => s.Objects.Count);
        var reading = tokens.ReadCells(swapped, scenes);
        reading.Cells.Should().BeApproximately(1 - 1.0 / (4 * SceneTokens.Cells), 1e-9);
        reading.Color.Should().BeApproximately(1 - 1.0 / occupied, 1e-9);
        (reading.Shape, reading.Size).Should().Be((1.0, 1.0));
        tokens.ReadCells(torch.zeros_like(exact), scenes).Cells.Should().BeLessThan(1, "zero tokens name no contents right everywhere");
    }

    [Fact]
    public void The_content_loss_prefers_the_true_contents_token_and_trains_the_cell_tokens()
    {
        var scenes = Enumerable.Range(0, 4).Select(i => SceneSampler.Sample(new Random(20 + i), WorldSplit.Train)).ToList();
        using var tokens = new SceneTokens(hiddenSize: 16, initStd: 0.1, seed: 4);
        using var exact = tokens.Encode(scenes).detach();
        float atTruth = tokens.ContentLoss(exact, scenes).item<float>();
        int contents = 1 + Enum.GetValues<ShapeKind>().Length * Palette.ObjectColors.Count * Enum.GetValues<SizeKind>().Length;
        atTruth.Should().BeLessThan((float)Math.Log(contents) / 2, "an exact token is far nearer its own contents than chance");

        // Halfway between every cell's token and the empty cell's: worse, and the gradient points back.
        var empty = scenes.Select(s => s with { Objects = Array.Empty<SceneObject>() }).ToList();
        using var blurred = exact.Add(tokens.Encode(empty).detach()).Div(2).requires_grad_(true);
        var loss = tokens.ContentLoss(blurred, scenes);
        loss.item<float>().Should().BeGreaterThan(atTruth);
        loss.backward();
        using var stepped = blurred.detach().sub(blurred.grad!.Mul(0.05));
        tokens.ContentLoss(stepped, scenes).item<float>().Should().BeLessThan(loss.item<float>(), "a step down its gradient moves the tokens towards their contents");
    }

    [Fact]
    public void World_judge_rows_carry_one_scene_per_image()
    {
        var context = new MLContext(seed: 0);
        var data = WorldDataViews.JudgeRows(context, 40, seed: 1, size: 12);
        var columns = new JudgeColumns();
        using var cursor = data.GetRowCursor(data.Schema.Where(c => columns.SceneInputsIn(data.Schema).Contains(c.Name)));
        var read = columns.BindScenes(cursor);
        var counts = data.GetColumn<int>(WorldColumns.ImageCount).ToList();
        int i = 0;
        while (cursor.MoveNext())
        {
            read().Scenes.Should().HaveCount(counts[i++]);
        }
        counts.Should().Contain(2).And.Contain(1);
    }

    private static Dictionary<string, Tensor> ModelWeights(string folder, long step) =>
        new Checkpoint(Path.Combine(folder, $"step-{step:D8}"), step, new Dictionary<string, string>()).Load("model");
}
