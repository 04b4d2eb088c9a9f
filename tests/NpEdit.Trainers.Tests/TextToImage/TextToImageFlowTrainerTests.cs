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

    private static TextToImageFlowTrainer.Options Options(int steps, string? checkpoints = null) => new()
    {
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

    [Fact]
    public void A_resumed_run_ends_with_the_same_weights_as_an_uninterrupted_one()
    {
        var context = new MLContext(seed: 1);
        var data = TestData.SolidColours(context, 10);
        using var straight = new TextToImageFlowTrainer(context, Options(6)).Fit(data);

        string folder = Path.Combine(_dir, "ckpt");
        var first = Options(3, folder);
        using (new TextToImageFlowTrainer(context, first).Fit(data)) { }
        new CheckpointFolder(folder).TryLoadLatest()!.Step.Should().Be(3);
        using var resumed = new TextToImageFlowTrainer(context, Options(6, folder)).Fit(data);

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
    public void Schema_errors_name_the_column_and_the_expected_type()
    {
        var context = new MLContext();
        var data = context.Data.LoadFromEnumerable(new[] { new { Image = 1f, Caption = "x" } });
        var trainer = new TextToImageFlowTrainer(context, Options(1));
        var act = () => trainer.Fit(data);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*image column 'Image': expected Image, got Single*");
    }
}
