using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class PreservationCheckTests
{
    private static readonly Scene Source = WorldTestData.CircleAndSquare;
    private static readonly SceneObject Circle = Source.Find(ShapeKind.Circle)!;
    private static readonly SceneObject Square = Source.Find(ShapeKind.Square)!;
    private static readonly Scene Target = Source.Replace(Circle, Circle with { Color = Palette.Yellow });

    private static PreservationFailure Why(Scene output) => PreservationCheck.Of(output, Source, EditType.Color, Circle);

    [Fact]
    public void Each_way_of_disturbing_the_scene_is_named()
    {
        Why(Target).Should().Be(PreservationFailure.None);
        Why(Scene.Create(Palette.Black, Target.Objects)).Should().Be(PreservationFailure.Background);
        Why(Target.Without(Target.Find(ShapeKind.Square)!)).Should().Be(PreservationFailure.UntouchedMissing);
        Why(Target.Replace(Square, Square with { Shape = ShapeKind.Triangle })).Should().Be(PreservationFailure.UntouchedShape);
        Why(Target.Replace(Square, Square with { Color = Palette.Green })).Should().Be(PreservationFailure.UntouchedColor);
        Why(Target.Replace(Square, Square with { Size = SizeKind.Large })).Should().Be(PreservationFailure.UntouchedSize);
        Why(Target.With(WorldTestData.Obj(ShapeKind.Star, Palette.Green, SizeKind.Small, 2, 2))).Should().Be(PreservationFailure.ExtraObject);
        var yellowCircle = Target.Find(ShapeKind.Circle)!;
        Why(Target.Replace(yellowCircle, yellowCircle with { Size = SizeKind.Small })).Should().Be(PreservationFailure.EditedObject);
        Why(Target.Without(yellowCircle)).Should().Be(PreservationFailure.EditedObject);
    }

    [Fact]
    public void An_untouched_object_that_moved_leaves_its_cell_empty()
    {
        Why(Target.Replace(Square, Square with { Row = 2, Col = 0 })).Should().Be(PreservationFailure.UntouchedMissing);
    }

    [Theory]
    [MemberData(nameof(WorldTestData.AllEditTypes), MemberType = typeof(WorldTestData))]
    public void The_cause_is_none_exactly_when_the_check_says_preserved(EditType type)
    {
        var edits = WorldTestData.Edits(type, 40, seed: 3).ToList();
        var others = WorldTestData.Scenes(40, WorldSplit.Eval, seed: 4).ToList();
        int failures = 0;
        for (int i = 0; i < edits.Count; i++)
        {
            var edit = edits[i];
            var before = EditedObjects.Find(edit.Source, edit.Target, type).Before;
            foreach (var output in new[] { edit.Target, edit.Source, others[i], Disturb(edit.Target, i) })
            {
                var failure = PreservationCheck.Of(output, edit.Source, type, before);
                EditCheck.Of(output, edit.Source, edit.Target, type).Preserved.Should().Be(failure == PreservationFailure.None, edit.Instruction);
                if (failure != PreservationFailure.None) failures++;
            }
            PreservationCheck.Of(edit.Target, edit.Source, type, before).Should().Be(PreservationFailure.None, edit.Instruction);
        }
        failures.Should().BeGreaterThan(0, "the random scenes are not preserving edits");
    }

    [Fact]
    public void The_breakdown_accounts_for_every_row_that_is_not_preserved()
    {
        var edits = WorldTestData.Edits(EditType.Color, 12, seed: 5).ToList();
        var rows = edits.Select((edit, i) =>
        {
            var output = SceneRenderer.Render(i % 3 == 0 ? edit.Target : Disturb(edit.Target, i));
            return new EditRowResult(i, edit, output, EditMetrics.Evaluate(output, edit.Source, edit.Target, edit.EditType));
        }).ToList();
        var shares = PreservationBreakdown.Of(rows);
        double notPreserved = 1 - EditMetricsSummary.Of(rows).Preserved;
        notPreserved.Should().BeGreaterThan(0);
        shares.Values.Sum().Should().BeApproximately(notPreserved, 1e-9);
        shares.Keys.Should().NotContain(PreservationFailure.None);
        shares.Keys.Select(PreservationBreakdown.Name).Should().OnlyHaveUniqueItems();
    }

    /// <summary>The target with its background or one of its objects changed, by <paramref name="i"/>.</summary>
    private static Scene Disturb(Scene scene, int i)
    {
        if (scene.Objects.Count == 0 || i % 4 == 0) return Scene.Create(scene.Background == Palette.Gray ? Palette.Black : Palette.Gray, scene.Objects);
        var o = scene.Objects[i % scene.Objects.Count];
        return scene.Replace(o, o with { Size = o.Size == SizeKind.Small ? SizeKind.Large : SizeKind.Small });
    }
}
