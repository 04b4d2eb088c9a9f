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
}
