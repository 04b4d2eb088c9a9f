using Microsoft.ML;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;

namespace NpEdit.Trainers.Tests.Vlm;

[Collection(DeterminismCollection.Name)]
public sealed class CountProbeTests
{
    private static SceneObject Object(ShapeKind shape, int row, int col) =>
        new(shape, Palette.Red, SizeKind.Large, Row: row, Col: col, JitterX: 0, JitterY: 0);

    [Fact]
    public void Labels_are_the_running_object_count_in_row_major_cell_order()
    {
        var scene = Scene.Create(Palette.Gray, [Object(ShapeKind.Circle, 0, 1), Object(ShapeKind.Star, 1, 1), Object(ShapeKind.Square, 2, 2)]);
        CountProbe.Labels(scene).Should().Equal(0, 1, 1, 1, 2, 2, 2, 2, 3);
        CountProbe.Labels(Scene.Create(Palette.Gray, [])).Should().OnlyContain(v => v == 0);
    }

    [Fact]
    public void Scene_token_steps_with_both_probes_log_their_losses_and_resume_exactly()
    {
        var context = new MLContext(seed: 0);
        string folder = Path.Combine(Path.GetTempPath(), "judge-count-" + Guid.NewGuid().ToString("N"));
        JudgeTrainer.Options Options(string? checkpoints = null)
        {
            var o = JudgeSceneTokenTests.Options(checkpoints);
            o.Steps = 4;
            o.SceneTokenSteps = 4;
            o.AlignmentSteps = 0;
            o.SceneTokenStageSteps = 0;
            o.ComparisonProbeWeight = 1.0;
            o.CountProbeWeight = 1.0;
            return o;
        }
        try
        {
            var straightTrainer = new JudgeTrainer(context, Options());
            using var straight = straightTrainer.Fit(JudgeSceneTokenTests.Rows(context));
            straightTrainer.LossHistory.Should().OnlyContain(h => h.Losses.ContainsKey("count_probe") && double.IsFinite(h.Losses["count_probe"]),
                "every scene-token row has an image to count");
            // Ten classes from a small random head: the first loss is near ln 10.
            straightTrainer.LossHistory[0].Losses["count_probe"].Should().BeInRange(1.0, 4.0);

            using var cancel = new CancellationTokenSource();
            var first = Options(folder);
            first.CheckpointInterval = 2;
            first.Cancellation = cancel.Token;
            first.Progress = new Progress(p => { if (p.Step == 2) cancel.Cancel(); });
            var interrupted = () => new JudgeTrainer(context, first).Fit(JudgeSceneTokenTests.Rows(context));
            interrupted.Should().Throw<OperationCanceledException>();
            Directory.EnumerateFiles(folder, "count_probe.safetensors", SearchOption.AllDirectories).Should().NotBeEmpty();
            using var resumed = new JudgeTrainer(context, Options(folder)).Fit(JudgeSceneTokenTests.Rows(context));
            foreach (var (key, value) in straight.Model.state_dict())
            {
                resumed.Model.state_dict()[key].eq(value).all().item<bool>().Should().BeTrue($"{key} is bit-identical after resume");
            }
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_count_probe_trains_from_the_stage_in_which_count_questions_join()
    {
        var context = new MLContext(seed: 0);
        var o = JudgeSceneTokenTests.Options();
        o.Steps = 4;
        o.SceneTokenSteps = 4;
        o.AlignmentSteps = 0;
        o.SceneTokenStageSteps = 2;
        o.SceneTokenKindGroups = [[QuestionKinds.Presence, QuestionKinds.Color], [QuestionKinds.Count]];
        o.CountProbeWeight = 1.0;
        var trainer = new JudgeTrainer(context, o);
        trainer.Fit(JudgeSceneTokenTests.Rows(context)).Dispose();
        trainer.LossHistory.Take(2).Should().OnlyContain(h => !h.Losses.ContainsKey("count_probe"), "no count question has joined yet");
        trainer.LossHistory.Skip(2).Should().OnlyContain(h => double.IsFinite(h.Losses["count_probe"]));
    }

    [Fact]
    public void The_count_probe_needs_scene_token_steps()
    {
        var context = new MLContext(seed: 0);
        var o = JudgeSceneTokenTests.Options();
        o.SceneTokenSteps = 0;
        o.AlignmentSteps = 0;
        o.CountProbeWeight = 1.0;
        var fit = () => new JudgeTrainer(context, o).Fit(JudgeSceneTokenTests.Rows(context));
        fit.Should().Throw<ArgumentException>().WithMessage("*CountProbeWeight needs SceneTokenSteps*");
    }

    private sealed class Progress(Action<NpEdit.Trainers.Training.TrainingProgress> report) : IProgress<NpEdit.Trainers.Training.TrainingProgress>
    {
        public void Report(NpEdit.Trainers.Training.TrainingProgress value) => report(value);
    }
}
