using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class SceneTokenStagesTests
{
    private static readonly string[][] Groups =
    [
        [QuestionKinds.Presence, QuestionKinds.Color],
        [.. QuestionKinds.TwoImage],
    ];

    private static AdaptiveKindWeights Learnt(params string[] kinds)
    {
        var errors = new AdaptiveKindWeights(decay: 0.5, floor: 0.1);
        for (int i = 0; i < 10; i++) errors.Add(kinds, kinds.Select(_ => true).ToList());
        return errors;
    }

    [Fact]
    public void Fixed_stages_add_a_group_every_n_steps_and_then_read_every_kind()
    {
        var stages = new SceneTokenStages(Groups, stageSteps: 100);
        stages.KindsAt(0).Should().Equal(Groups[0]);
        stages.KindsAt(99).Should().Equal(Groups[0]);
        stages.KindsAt(100).Should().Equal(Groups[0].Concat(Groups[1]));
        stages.KindsAt(200).Should().BeNull("every kind once all groups have joined");
        stages.AfterStep(150, Learnt(QuestionKinds.Presence, QuestionKinds.Color)).Should().BeNull("fixed stages depend on the step alone");
        stages.Save().Should().BeEmpty();
    }

    [Fact]
    public void A_gated_stage_ends_when_its_kinds_are_learnt_after_its_least_steps_or_at_its_cap()
    {
        var stages = new SceneTokenStages(Groups, stageSteps: 10, gateAccuracy: 0.9, maxStageSteps: 50);
        var learnt = Learnt(QuestionKinds.Presence, QuestionKinds.Color);
        stages.AfterStep(5, learnt).Should().BeNull("a stage lasts at least its least steps");
        stages.KindsAt(500).Should().Equal(Groups[0], "a gated stage does not move with the step");
        stages.AfterStep(9, Learnt(QuestionKinds.Presence)).Should().BeNull("colour is still at chance");
        stages.AfterStep(9, learnt).Should().Contain("0.9");
        (stages.Stage, stages.StageStart).Should().Be((1, 10L));
        stages.KindsAt(10).Should().Equal(Groups[0].Concat(Groups[1]));

        stages.AfterStep(58, learnt).Should().BeNull("the comparisons are at chance and the cap is not reached");
        stages.AfterStep(59, learnt).Should().Contain("cap of 50").And.Contain("compare_same=0.50");
        stages.KindsAt(60).Should().BeNull();
        stages.AfterStep(100, learnt).Should().BeNull("nothing follows the last stage");
    }

    [Fact]
    public void A_gated_stage_round_trips_through_checkpoint_state_and_bad_state_names_the_file()
    {
        var stages = new SceneTokenStages(Groups, stageSteps: 1, gateAccuracy: 0.9);
        stages.AfterStep(3, Learnt(QuestionKinds.Presence, QuestionKinds.Color));
        var state = stages.Save().ToDictionary();
        var restored = new SceneTokenStages(Groups, stageSteps: 1, gateAccuracy: 0.9);
        restored.Load(state, "ck/state.json");
        (restored.Stage, restored.StageStart).Should().Be((1, 4L));

        var bad = () => restored.Load(new Dictionary<string, string> { ["scene_stage"] = "7", ["scene_stage_start"] = "0" }, "ck/state.json");
        bad.Should().Throw<FormatException>().WithMessage("*ck/state.json*scene_stage*2 groups*");
        restored.Load(new Dictionary<string, string>(), "ck/state.json");
        (restored.Stage, restored.StageStart).Should().Be((0, 0L), "a checkpoint without a stage starts at the first");
    }

    [Theory]
    [InlineData(0, 0.9, 0)]
    [InlineData(10, 1.0, 0)]
    [InlineData(10, 0.9, 5)]
    public void Bad_stage_settings_are_refused(int stageSteps, double gate, int cap)
    {
        var act = () => new SceneTokenStages(Groups, stageSteps, gate, cap);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
