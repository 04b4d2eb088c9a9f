using Microsoft.ML;
using NpEdit.Trainers.TextToImage;
using NpEdit.Trainers.Training;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using TorchSharp;

namespace NpEdit.Trainers.Tests.TextToImage;

[Collection(DeterminismCollection.Name)]
public sealed class TextToImageFlowTrainerTests : IDisposable
{
    private static readonly int[] Vocabulary = TextTokenizer.BuildVocabulary(new[] { "a red image", "a blue image", "a green image" });
    private readonly string _dir = Directory.CreateTempSubdirectory("npedit-prior-").FullName;

    public TextToImageFlowTrainerTests() => TorchRuntime.EnsureInitialized();
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TextToImageFlowTrainer.Options Options(int steps, string? checkpoints = null, double? finalTimeShift = null) => new()
    {
        FinalTimeShift = finalTimeShift,
        ModelConfig = FlowModelPresets.Tiny(Vocabulary),
        Steps = steps,
        BatchSize = 4,
        LearningRate = 2e-3,
        WarmupSteps = 2,
        Seed = 11,
        // One intra-op thread: bit-identical resume needs the same reduction order in both runs, whatever else
        // the test host runs in parallel.
        Threads = 1,
        Device = DeviceOption.Cpu,
        CheckpointFolder = checkpoints,
        CheckpointInterval = 3,
    };

    [Theory]
    [InlineData(null)]
    [InlineData(1.0)]
    public void A_resumed_run_ends_with_the_same_weights_as_an_uninterrupted_one(double? finalTimeShift)
    {
        var context = new MLContext(seed: 1);
        var data = TestData.SolidColours(context, 10);
        using var straight = new TextToImageFlowTrainer(context, Options(6, finalTimeShift: finalTimeShift)).Fit(data);

        string folder = Path.Combine(_dir, "ckpt");
        // The interrupted run is told the whole length (6 steps) and stopped after 3, as a killed run would be:
        // the learning rate and the time shift are functions of (step, total steps).
        var first = Options(6, folder, finalTimeShift);
        using var stop = new CancellationTokenSource();
        first.Progress = new SynchronousProgress<TrainingProgress>(p => { if (p.Step == 3) stop.Cancel(); });
        first.Cancellation = stop.Token;
        var interrupted = () => new TextToImageFlowTrainer(context, first).Fit(data);
        interrupted.Should().Throw<OperationCanceledException>();
        new CheckpointFolder(folder).TryLoadLatest()!.Step.Should().Be(3);
        using var resumed = new TextToImageFlowTrainer(context, Options(6, folder, finalTimeShift)).Fit(data);

        foreach (var (key, value) in straight.Model.state_dict())
        {
            resumed.Model.state_dict()[key].eq(value).all().item<bool>().Should().BeTrue($"{key} must be bit-identical after resume");
        }
    }

    [Fact]
    public void Training_lowers_the_flow_loss_and_reports_progress()
    {
        var context = new MLContext(seed: 1);
        var reports = new List<TrainingProgress>();
        var options = Options(40);
        options.Progress = new SynchronousProgress<TrainingProgress>(reports.Add);
        var trainer = new TextToImageFlowTrainer(context, options);
        using var fitted = trainer.Fit(TestData.SolidColours(context, 12));
        reports.Should().HaveCount(40);
        reports[^1].Step.Should().Be(40);
        double early = trainer.LossHistory.Take(5).Average(h => h.Losses["flow"]);
        double late = trainer.LossHistory.Skip(35).Average(h => h.Losses["flow"]);
        late.Should().BeLessThan(early);
    }

    [Fact]
    public void A_clean_predicting_model_trains_with_the_velocity_loss_and_keeps_its_prediction_when_saved()
    {
        var context = new MLContext(seed: 1);
        var options = Options(40);
        options.ModelConfig = options.ModelConfig! with { Transformer = options.ModelConfig.Transformer with { Prediction = FlowPrediction.Clean } };
        var trainer = new TextToImageFlowTrainer(context, options);
        using var fitted = trainer.Fit(TestData.SolidColours(context, 12));
        double early = trainer.LossHistory.Take(5).Average(h => h.Losses["flow"]);
        double late = trainer.LossHistory.Skip(35).Average(h => h.Losses["flow"]);
        late.Should().BeLessThan(early * 0.8);

        string folder = Path.Combine(_dir, "clean");
        FlowModelStore.Save(fitted.Model, folder);
        using var loaded = FlowModelStore.Load(folder);
        loaded.Config.Transformer.Prediction.Should().Be(FlowPrediction.Clean);
    }

    [Fact]
    public void A_shift_curriculum_trains_differently_from_a_constant_shift()
    {
        var context = new MLContext(seed: 1);
        var data = TestData.SolidColours(context, 10);
        using var constant = new TextToImageFlowTrainer(context, Options(4)).Fit(data);
        using var curriculum = new TextToImageFlowTrainer(context, Options(4, finalTimeShift: 1.0)).Fit(data);
        constant.Model.state_dict().Any(kv => !curriculum.Model.state_dict()[kv.Key].eq(kv.Value).all().item<bool>())
            .Should().BeTrue("the curriculum draws other training times after the first step");
    }

    [Fact]
    public void Foreground_weighting_trains_differently_and_still_lowers_the_loss()
    {
        // Solid colours have no foreground, so this uses scenes with an object on a backdrop.
        var context = new MLContext(seed: 1);
        var data = TestData.ObjectsOnBackdrops(context, 12);
        var plainTrainer = new TextToImageFlowTrainer(context, Options(30));
        using var plain = plainTrainer.Fit(data);
        var options = Options(30);
        options.ForegroundWeight = 4;
        var weightedTrainer = new TextToImageFlowTrainer(context, options);
        using var weighted = weightedTrainer.Fit(data);
        weightedTrainer.LossHistory[0].Losses["flow"].Should().NotBe(plainTrainer.LossHistory[0].Losses["flow"]);
        weightedTrainer.LossHistory.Skip(25).Average(h => h.Losses["flow"]).Should().BeLessThan(weightedTrainer.LossHistory.Take(5).Average(h => h.Losses["flow"]));
    }

    private static TextToImageFlowTrainer.Options Probed(int steps, string? checkpoints = null)
    {
        var options = Options(steps, checkpoints);
        options.CellProbeWeight = 1;
        options.CellProbeBlocks = 1;
        options.SceneColumnName = NpEdit.Trainers.Synthetic.WorldColumns.SceneJson;
        return options;
    }

    [Fact]
    public void A_cell_probe_trains_the_transformer_and_a_resumed_run_matches()
    {
        var context = new MLContext(seed: 1);
        var data = TestData.ObjectsOnBackdrops(context, 12);
        using var plain = new TextToImageFlowTrainer(context, Options(6)).Fit(data);
        var straightTrainer = new TextToImageFlowTrainer(context, Probed(6));
        using var straight = straightTrainer.Fit(data);
        straightTrainer.LossHistory.Should().OnlyContain(h => h.Losses.ContainsKey("cells") && double.IsFinite(h.Losses["cells"]));
        plain.Model.state_dict().Any(kv => !straight.Model.state_dict()[kv.Key].eq(kv.Value).all().item<bool>())
            .Should().BeTrue("the probe's gradient reaches the transformer");
        straight.Model.state_dict().Keys.Should().NotContain(k => k.Contains("probe"), "the probe is not part of the prior");

        string folder = Path.Combine(_dir, "probed");
        var first = Probed(6, folder);
        using var stop = new CancellationTokenSource();
        first.Progress = new SynchronousProgress<TrainingProgress>(p => { if (p.Step == 3) stop.Cancel(); });
        first.Cancellation = stop.Token;
        var interrupted = () => new TextToImageFlowTrainer(context, first).Fit(data);
        interrupted.Should().Throw<OperationCanceledException>();
        using var resumed = new TextToImageFlowTrainer(context, Probed(6, folder)).Fit(data);
        foreach (var (key, value) in straight.Model.state_dict())
        {
            resumed.Model.state_dict()[key].eq(value).all().item<bool>().Should().BeTrue($"{key} must be bit-identical after resume");
        }

        var withoutProbe = () => new TextToImageFlowTrainer(context, Options(6, folder)).Fit(data);
        withoutProbe.Should().Throw<InvalidOperationException>().WithMessage("*with a cell probe*");
    }

    [Fact]
    public void The_cell_probe_learns_what_the_cells_hold()
    {
        var context = new MLContext(seed: 1);
        var trainer = new TextToImageFlowTrainer(context, Probed(40));
        using var fitted = trainer.Fit(TestData.ObjectsOnBackdrops(context, 12));
        double early = trainer.LossHistory.Take(5).Average(h => h.Losses["cells"]);
        double late = trainer.LossHistory.Skip(35).Average(h => h.Losses["cells"]);
        late.Should().BeLessThan(early * 0.8);
    }

    [Fact]
    public void A_cell_probe_needs_a_scene_column_and_a_block_the_model_has()
    {
        var context = new MLContext(seed: 1);
        var noColumn = Options(2);
        noColumn.CellProbeWeight = 1;
        var act = () => new TextToImageFlowTrainer(context, noColumn);
        act.Should().Throw<ArgumentException>().WithMessage("*SceneColumnName*");
        var noScenes = () => new TextToImageFlowTrainer(context, Probed(2)).Fit(TestData.SolidColours(context, 4));
        noScenes.Should().Throw<ArgumentException>().WithMessage("*SceneJson*");
        var deep = Probed(2);
        deep.CellProbeBlocks = 3;
        var tooDeep = () => new TextToImageFlowTrainer(context, deep).Fit(TestData.ObjectsOnBackdrops(context, 4));
        tooDeep.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*1 to 2 blocks*");
    }

    [Theory]
    [InlineData(0.0, null, 0.1)]
    [InlineData(3.0, -1.0, 0.1)]
    [InlineData(3.0, null, 1.5)]
    [InlineData(3.0, null, 0.1, -1.0)]
    [InlineData(3.0, null, 0.1, double.NaN)]
    public void Bad_shift_final_rate_or_foreground_settings_are_refused(double shift, double? finalShift, double finalRatio, double foreground = 0)
    {
        var options = Options(2);
        options.ForegroundWeight = foreground;
        options.TimeShift = shift;
        options.FinalTimeShift = finalShift;
        options.FinalLearningRateRatio = finalRatio;
        var act = () => new TextToImageFlowTrainer(new MLContext(), options);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Schema_errors_name_the_column_and_the_expected_type()
    {
        var context = new MLContext();
        var data = context.Data.LoadFromEnumerable(new[] { new { Image = 1f, Caption = "x" } });
        var trainer = new TextToImageFlowTrainer(context, Options(1));
        var act = () => trainer.Fit(data);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*image column 'Image': expected Image, got Single*");
    }
}
