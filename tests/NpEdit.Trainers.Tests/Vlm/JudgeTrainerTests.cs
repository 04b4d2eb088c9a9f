using Microsoft.ML;
using NpEdit.Trainers.Training;
using NpEdit.Trainers.Vlm;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

[Collection(DeterminismCollection.Name)]
public sealed class JudgeTrainerTests
{
    private static JudgeTrainer.Options Options(int steps, string? checkpoints = null) => new()
    {
        Tokenizer = TestVlms.Tokenizer,
        ModelConfig = TestVlms.Config(TestVlms.Tokenizer.Compact!.Count, TestVlms.Tokenizer.ImageTokenId),
        Steps = steps,
        BatchSize = 12,
        LearningRate = 1e-2,
        WarmupSteps = 5,
        Threads = 1,
        CheckpointFolder = checkpoints,
        CheckpointInterval = 4,
        Seed = 5,
        EmaDecay = 0.5, // a short run: a slow average would still be mostly the initial weights
    };

    [Fact]
    public void Fit_learns_a_separable_question_and_the_transformer_scores_rows_lazily()
    {
        var mlContext = new MLContext(seed: 0);
        var trainer = new JudgeTrainer(mlContext, Options(steps: 80));
        using var judge = trainer.Fit(JudgeTestRows.Create(mlContext, 240));
        trainer.LossHistory.Last().Losses["ce"].Should().BeLessThan(trainer.LossHistory.First().Losses["ce"]);

        var scored = judge.Transform(JudgeTestRows.Create(mlContext, 48));
        scored.Schema.GetColumnOrNull(JudgeTransformer.ProbabilityColumn).Should().NotBeNull();
        var metrics = mlContext.BinaryClassification.Evaluate(scored, labelColumnName: "Answer");
        metrics.Accuracy.Should().BeGreaterThan(0.95);
    }

    [Fact]
    public void A_resumed_run_ends_with_the_same_weights_as_an_uninterrupted_one()
    {
        var mlContext = new MLContext(seed: 0);
        var data = JudgeTestRows.Create(mlContext, 120);
        string folder = Path.Combine(Path.GetTempPath(), "judge-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            var uninterruptedTrainer = new JudgeTrainer(mlContext, Options(steps: 8));
            using var uninterrupted = uninterruptedTrainer.Fit(data);

            using var cancel = new CancellationTokenSource();
            var first = Options(steps: 8, folder);
            first.Cancellation = cancel.Token;
            first.Progress = new SynchronousProgress(p => { if (p.Step == 4) cancel.Cancel(); });
            var interrupted = () => new JudgeTrainer(mlContext, first).Fit(data);
            interrupted.Should().Throw<OperationCanceledException>();
            new CheckpointFolder(folder).TryLoadLatest()!.Step.Should().Be(4);

            var resumedTrainer = new JudgeTrainer(mlContext, Options(steps: 8, folder));
            using var resumed = resumedTrainer.Fit(data);
            var full = uninterruptedTrainer.LossHistory.Skip(4).Select(h => h.Losses["ce"]).ToList();
            resumedTrainer.LossHistory.Select(h => h.Losses["ce"]).Should().Equal(full);
            var expected = uninterrupted.Model.state_dict();
            foreach (var (key, value) in resumed.Model.state_dict())
            {
                value.eq(expected[key]).all().item<bool>().Should().BeTrue($"'{key}' must match bit for bit");
            }
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Schema_errors_name_the_column_and_the_expected_type()
    {
        var mlContext = new MLContext(seed: 0);
        var trainer = new JudgeTrainer(mlContext, Options(steps: 1));
        var noQuestion = mlContext.Transforms.DropColumns("Question").Fit(JudgeTestRows.Create(mlContext, 3)).Transform(JudgeTestRows.Create(mlContext, 3));
        var act = () => trainer.Fit(noQuestion);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*question column 'Question'*not found*String*");

        var textAnswer = mlContext.Transforms.Conversion.ConvertType("Answer", outputKind: Microsoft.ML.Data.DataKind.Single)
            .Fit(JudgeTestRows.Create(mlContext, 3)).Transform(JudgeTestRows.Create(mlContext, 3));
        var wrongType = () => trainer.GetOutputSchema(NpEdit.Transforms.Data.SchemaChecks.ShapeOf(textAnswer.Schema));
        wrongType.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*answer column 'Answer'*expected Boolean*Single*");
    }

    [Fact]
    public void A_curriculum_trains_its_first_steps_on_the_chosen_kinds_only_and_stays_resumable()
    {
        var mlContext = new MLContext(seed: 0);
        var data = JudgeTestRows.Create(mlContext, 90);
        var options = Options(steps: 3);
        options.CurriculumKinds = new[] { "compare_same" };
        options.CurriculumSteps = 2;
        var trainer = new JudgeTrainer(mlContext, options);
        using var judge = trainer.Fit(data);
        // Two curriculum batches of 12 two-image rows pass over the 24 single-image rows between them (every third
        // row is two-image), then step 3 reads the next 12 rows whatever their kind.
        trainer.LossHistory.Should().HaveCount(3);
        var noKind = mlContext.Transforms.DropColumns("Kind").Fit(data).Transform(data);
        var act = () => new JudgeTrainer(mlContext, options).Fit(noKind);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*question kind column 'Kind'*");
        var weighted = Options(steps: 1);
        weighted.KindWeights = KindWeights.Parse("compare_same=2");
        var weightedAct = () => new JudgeTrainer(mlContext, weighted).Fit(noKind);
        weightedAct.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*question kind (kind weights sample by it) column 'Kind'*");
    }

    [Fact]
    public void A_scene_probe_adds_a_dense_loss_and_a_resumed_run_still_matches_an_uninterrupted_one()
    {
        var mlContext = new MLContext(seed: 0);
        var data = JudgeTestRows.Create(mlContext, 120);
        JudgeTrainer.Options WithProbe(string? checkpoints = null)
        {
            var o = Options(steps: 6, checkpoints);
            o.ProbeRows = NpEdit.Trainers.Synthetic.WorldDataViews.SceneRows(mlContext, 60, seed: 2, size: 16);
            o.ProbeBatchSize = 4;
            return o;
        }
        string folder = Path.Combine(Path.GetTempPath(), "judge-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            var uninterruptedTrainer = new JudgeTrainer(mlContext, WithProbe());
            using var uninterrupted = uninterruptedTrainer.Fit(data);
            uninterruptedTrainer.LossHistory.Should().OnlyContain(h => double.IsFinite(h.Losses["probe"]));

            using var cancel = new CancellationTokenSource();
            var first = WithProbe(folder);
            first.Cancellation = cancel.Token;
            first.Progress = new SynchronousProgress(p => { if (p.Step == 4) cancel.Cancel(); });
            var interrupted = () => new JudgeTrainer(mlContext, first).Fit(data);
            interrupted.Should().Throw<OperationCanceledException>();

            var resumedTrainer = new JudgeTrainer(mlContext, WithProbe(folder));
            using var resumed = resumedTrainer.Fit(data);
            resumedTrainer.LossHistory.Select(h => h.Losses["probe"]).Should().Equal(uninterruptedTrainer.LossHistory.Skip(4).Select(h => h.Losses["probe"]));
            resumed.Model.state_dict().Keys.Should().NotContain(k => k.Contains("probe"), "the probe is not part of the judge");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_answer_loss_blends_whole_vocabulary_and_yes_no_cross_entropy()
    {
        var mlContext = new MLContext(seed: 0);
        double FirstLoss(double fullWeight)
        {
            var o = Options(steps: 1);
            o.FullVocabularyAnswerWeight = fullWeight;
            var trainer = new JudgeTrainer(mlContext, o);
            using var judge = trainer.Fit(JudgeTestRows.Create(mlContext, 12));
            return trainer.LossHistory[0].Losses["ce"];
        }
        // Small initial weights give near-uniform logits: ln 2 over two answers, ln V over the whole vocabulary.
        FirstLoss(0.0).Should().BeApproximately(Math.Log(2), 0.1);
        FirstLoss(1.0).Should().BeApproximately(Math.Log(TestVlms.Tokenizer.Compact!.Count), 0.5);
    }

    [Fact]
    public void Adversarial_training_trains_on_attacked_images_that_raise_the_loss_and_stays_repeatable()
    {
        var mlContext = new MLContext(seed: 0);
        IReadOnlyList<double> Losses(int adversarialSteps)
        {
            var o = Options(steps: 2);
            o.AdversarialSteps = adversarialSteps;
            o.AdversarialEpsilon = 0.2;
            var trainer = new JudgeTrainer(mlContext, o);
            using var judge = trainer.Fit(JudgeTestRows.Create(mlContext, 24));
            return trainer.LossHistory.Select(h => h.Losses["ce"]).ToList();
        }
        var clean = Losses(0);
        var attacked = Losses(3);
        attacked[0].Should().BeGreaterThan(clean[0], "the first step's images were moved towards the wrong answers");
        Losses(3).Should().Equal(attacked, "the attack has no randomness, so a seed repeats a run");
    }

    [Fact]
    public void Scene_probe_labels_are_the_background_and_each_cells_shape_colour_and_size()
    {
        var scene = NpEdit.Trainers.Synthetic.Scene.Create(NpEdit.Trainers.Synthetic.Palette.Navy, new[]
        {
            new NpEdit.Trainers.Synthetic.SceneObject(NpEdit.Trainers.Synthetic.ShapeKind.Star, NpEdit.Trainers.Synthetic.Palette.Blue,
                NpEdit.Trainers.Synthetic.SizeKind.Large, Row: 1, Col: 2, JitterX: 0, JitterY: 0),
        });
        var (background, shape, color, size) = SceneProbe.Labels(new[] { scene });
        background.Should().Equal(3L);
        shape.Should().Equal(0, 0, 0, 0, 0, 4, 0, 0, 0);
        color.Should().Equal(0, 0, 0, 0, 0, 3, 0, 0, 0);
        size.Should().Equal(0, 0, 0, 0, 0, 2, 0, 0, 0);
    }
}
