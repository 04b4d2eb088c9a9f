using Microsoft.ML;
using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Supervised;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Tests.Editing;
using NpEdit.Transforms;
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
    public void The_supervised_baseline_can_read_another_text_column_and_sample_by_renoising()
    {
        var context = new MLContext(1);
        var pairs = WorldDataViews.EvaluationRows(context, 16, seed: 2, size: EditTestFixtures.Size, split: WorldSplit.Train);
        var options = Supervised(3);
        options.InstructionColumnName = WorldColumns.EditedCaption;
        options.SamplerMode = SamplerMode.Renoise;
        using var editor = new SupervisedEditTrainer(context, options).Fit(pairs);
        editor.Options.InstructionColumnName.Should().Be(WorldColumns.EditedCaption, "the fitted editor reads the column it was trained on");
        editor.Options.Sampler.Mode.Should().Be(SamplerMode.Renoise);
    }

    [Fact]
    public void Evaluation_can_give_an_editor_the_edited_caption_instead_of_the_instruction()
    {
        var context = new MLContext(1);
        var pairs = WorldDataViews.EvaluationRows(context, 16, seed: 2, size: EditTestFixtures.Size, split: WorldSplit.Train);
        using var editor = new SupervisedEditTrainer(context, Supervised(3)).Fit(pairs);
        var source = RgbImage.Filled(EditTestFixtures.Size, EditTestFixtures.Size, 90, 90, 90);
        var request = new EditRequest(source, "make the circle blue", "a red circle", "a blue circle");
        var asCaption = new EditRequest(source, "a blue circle", "a red circle", "a blue circle");

        var told = new TransformerEditor(editor, textColumn: WorldColumns.EditedCaption).Edit(new[] { request }, new long[] { 4 })[0];
        var same = new TransformerEditor(editor).Edit(new[] { asCaption }, new long[] { 4 })[0];
        var instructed = new TransformerEditor(editor).Edit(new[] { request }, new long[] { 4 })[0];

        told.Pixels.Should().Equal(same.Pixels, "the override hands the editor the edited caption as its text");
        told.Pixels.Should().NotEqual(instructed.Pixels);
        var bad = () => new TransformerEditor(editor, textColumn: "SourceCaption");
        bad.Should().Throw<ArgumentException>().WithMessage("*SourceCaption*");
    }

    [Theory]
    [InlineData(0, 4, 1e-3)]
    [InlineData(10, 0, 1e-3)]
    [InlineData(10, 4, 0.0)]
    [InlineData(10, 4, double.NaN)]
    public void The_supervised_baseline_refuses_options_that_cannot_train(int steps, int batch, double learningRate)
    {
        var options = Supervised(steps);
        options.BatchSize = batch;
        options.LearningRate = learningRate;
        var act = () => new SupervisedEditTrainer(new MLContext(1), options);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*must be positive*");
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

    [Fact]
    public void Zero_shot_sdedit_can_read_a_writers_caption_instead_of_the_rows()
    {
        using var prior = FlowModelStore.Load(_f.PriorFolder);
        var source = SceneRenderer.Render(WorldRows.Edit(1, 0, WorldSplit.Eval).Source, EditTestFixtures.Size);
        var request = new EditRequest(source, "make the circle blue", "", "a blue circle on a gray background");
        using var writer = new FixedWriter("a red square on a white background");

        var written = new SdEditEditor(prior, startTime: 1.0, steps: 2, writer: writer);
        var captionReader = new SdEditEditor(prior, startTime: 1.0, steps: 2);
        written.Name.Should().Contain("writer");
        var output = written.Edit(new[] { request }, new long[] { 5 })[0];
        output.Pixels.Should().Equal(captionReader.Edit(new[] { request with { EditedCaption = writer.Text } }, new long[] { 5 })[0].Pixels,
            "the writer's caption takes the edited caption's place");
        writer.Calls.Should().Equal(new[] { ("make the circle blue", source) }, "the writer sees each source and instruction");
        var both = () => new SdEditEditor(prior, readsInstruction: true, writer: writer);
        both.Should().Throw<ArgumentException>().WithMessage("*not both*");
    }

    private sealed class FixedWriter(string text) : IEditTextWriter
    {
        public string Text => text;
        public List<(string Instruction, RgbImage Source)> Calls { get; } = new();
        public string Kind => "fixed";
        public IReadOnlyList<string> Write(IReadOnlyList<RgbImage> sources, IReadOnlyList<string> instructions)
        {
            Calls.AddRange(instructions.Zip(sources));
            return instructions.Select(_ => text).ToList();
        }
        public IReadOnlyDictionary<string, byte[]> SaveFiles() => new Dictionary<string, byte[]>();
        public void Dispose() { }
    }
}
