using Microsoft.ML;
using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Supervised;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Tests.Editing;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using NpEdit.Transforms.Sampling;

namespace NpEdit.Trainers.Tests.Baselines;

public sealed class BaselineTests : IClassFixture<BaselineTests.Shared>
{
    public sealed class Shared : IDisposable
    {
        internal EditTestFixtures Fixtures { get; } = new();
        public void Dispose() => Fixtures.Dispose();
    }

    private readonly EditTestFixtures _f;

    public BaselineTests(Shared shared) => _f = shared.Fixtures;

    private SupervisedEditTrainer.Options Supervised(int steps) => new()
    {
        PriorFolder = _f.PriorFolder,
        Steps = steps,
        BatchSize = 4,
        LearningRate = 2e-3,
        Seed = 3,
        Device = DeviceOption.Cpu,
    };

    [Fact]
    public void The_supervised_baseline_learns_its_pairs_and_edits_with_euler_steps()
    {
        var context = new MLContext(1);
        var pairs = WorldDataViews.EvaluationRows(context, 16, seed: 2, size: EditTestFixtures.Size, split: WorldSplit.Train);
        var trainer = context.ImageEditing().Trainers.Supervised(Supervised(30));
        using var editor = trainer.Fit(pairs);
        trainer.StepsDone.Should().Be(30);
        double early = trainer.LossHistory.Take(5).Average(h => h.Losses["flow"]);
        double late = trainer.LossHistory.Skip(25).Average(h => h.Losses["flow"]);
        late.Should().BeLessThan(early);
        editor.Options.Sampler.Mode.Should().Be(SamplerMode.Euler);
        editor.Options.Sampler.Steps.Should().Be(4);
        var output = editor.Edit(new[] { RgbImage.Filled(16, 16, 128, 128, 128) }, new[] { "make the circle blue" }, 1);
        output[0].Width.Should().Be(16);
    }

    [Fact]
    public void The_supervised_baseline_stops_at_its_time_budget()
    {
        var context = new MLContext(1);
        var pairs = WorldDataViews.EvaluationRows(context, 16, seed: 2, size: EditTestFixtures.Size, split: WorldSplit.Train);
        var options = Supervised(1000);
        options.TimeBudget = TimeSpan.FromSeconds(2);
        var trainer = new SupervisedEditTrainer(context, options);
        using var editor = trainer.Fit(pairs);
        trainer.StepsDone.Should().BeLessThan(1000);
        trainer.LastFitDuration.TotalSeconds.Should().BeLessThan(30);
    }

    [Fact]
    public void Zero_shot_sdedit_keeps_the_source_at_small_t0_and_ignores_it_at_t0_one()
    {
        using var prior = FlowModelStore.Load(_f.PriorFolder);
        var a = SceneRenderer.Render(WorldRows.Edit(1, 0, WorldSplit.Eval).Source, EditTestFixtures.Size);
        var b = SceneRenderer.Render(WorldRows.Edit(1, 1, WorldSplit.Eval).Source, EditTestFixtures.Size);
        EditRequest Request(RgbImage source) => new(source, "make the circle blue", "", "a blue circle on a gray background");

        var gentle = new SdEditEditor(prior, startTime: 0.02, steps: 4);
        var kept = gentle.Edit(new[] { Request(a) }, new long[] { 5 })[0];
        EditMetrics.Psnr(kept, a).Should().BeGreaterThan(25, "at t0 = 0.02 almost nothing of the source is noised away");

        var full = new SdEditEditor(prior, startTime: 1.0, steps: 4);
        var fromA = full.Edit(new[] { Request(a) }, new long[] { 5 })[0];
        var fromB = full.Edit(new[] { Request(b) }, new long[] { 5 })[0];
        fromA.Pixels.Should().Equal(fromB.Pixels, "at t0 = 1 the source is pure noise, so only caption and seed matter");
    }

    [Fact]
    public void Zero_shot_sdedit_can_read_the_instruction_instead_of_the_edited_caption()
    {
        using var prior = FlowModelStore.Load(_f.PriorFolder);
        var source = SceneRenderer.Render(WorldRows.Edit(1, 0, WorldSplit.Eval).Source, EditTestFixtures.Size);
        var request = new EditRequest(source, "make the circle blue", "", "a blue circle on a gray background");
        var asCaption = request with { EditedCaption = request.Instruction };

        var reader = new SdEditEditor(prior, startTime: 1.0, steps: 2, readsInstruction: true);
        var captionReader = new SdEditEditor(prior, startTime: 1.0, steps: 2);
        reader.Name.Should().Contain("instruction");
        var read = reader.Edit(new[] { request }, new long[] { 5 })[0];
        read.Pixels.Should().Equal(captionReader.Edit(new[] { asCaption }, new long[] { 5 })[0].Pixels, "the instruction takes the edited caption's place");
        read.Pixels.Should().NotEqual(captionReader.Edit(new[] { request }, new long[] { 5 })[0].Pixels, "the edited caption is not read");
    }
}
