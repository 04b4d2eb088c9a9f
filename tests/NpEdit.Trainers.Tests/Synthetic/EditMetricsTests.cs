using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class EditMetricsTests
{
    [Theory]
    [MemberData(nameof(WorldTestData.AllEditTypes), MemberType = typeof(WorldTestData))]
    public void The_rendered_target_scores_perfectly_and_survives_blur_and_noise(EditType type)
    {
        var rng = new Random(1);
        foreach (var edit in WorldTestData.Edits(type, 30, seed: 2))
        {
            var clean = EditMetrics.Evaluate(SceneRenderer.Render(edit.Target), edit.Source, edit.Target, type);
            clean.Should().BeEquivalentTo(new { EditSuccess = true, Preserved = true, Exact = true, Psnr = EditMetrics.MaxPsnr, MaskedL1Outside = 0.0 });
            var noisy = EditMetrics.Evaluate(ImageDegradation.BlurAndNoise(SceneRenderer.Render(edit.Target), 0.05, rng), edit.Source, edit.Target, type);
            noisy.Exact.Should().BeTrue(edit.Instruction);
            noisy.Psnr.Should().BeInRange(20, 40);
        }
    }

    [Theory]
    [MemberData(nameof(WorldTestData.AllEditTypes), MemberType = typeof(WorldTestData))]
    public void Returning_the_source_fails_every_edit_but_do_nothing_and_keeps_the_rest(EditType type)
    {
        foreach (var edit in WorldTestData.Edits(type, 30, seed: 3))
        {
            var copy = EditMetrics.Evaluate(SceneRenderer.Render(edit.Source), edit.Source, edit.Target, type);
            copy.EditSuccess.Should().Be(type == EditType.DoNothing, edit.Instruction);
            copy.Exact.Should().Be(type == EditType.DoNothing);
            copy.Preserved.Should().BeTrue();
            if (type is not EditType.Background and not EditType.DoNothing)
            {
                copy.MaskedL1Outside.Should().Be(0, "outside the edited cells the copy equals the target");
            }
        }
    }

    [Fact]
    public void Doing_the_edit_and_disturbing_another_object_succeeds_but_does_not_preserve()
    {
        var source = WorldTestData.CircleAndSquare;
        var circle = source.Find(ShapeKind.Circle)!;
        var square = source.Find(ShapeKind.Square)!;
        var target = source.Replace(circle, circle with { Color = Palette.Yellow });
        var output = target.Replace(square, square with { Color = Palette.Green });
        var score = EditMetrics.Evaluate(SceneRenderer.Render(output), source, target, EditType.Color);
        score.EditSuccess.Should().BeTrue();
        score.Preserved.Should().BeFalse();
        score.Exact.Should().BeFalse();
        score.MaskedL1Outside.Should().BeGreaterThan(0.01);
    }

    [Fact]
    public void Changing_the_wrong_attribute_of_the_named_object_is_not_preserved()
    {
        var source = WorldTestData.CircleAndSquare;
        var circle = source.Find(ShapeKind.Circle)!;
        var target = source.Replace(circle, circle with { Color = Palette.Yellow });
        var recoloredAndShrunk = source.Replace(circle, circle with { Color = Palette.Yellow, Size = SizeKind.Small });
        EditCheck.Of(recoloredAndShrunk, source, target, EditType.Color).Should().Be(new EditCheck(true, false, false));
        var moved = source.Replace(circle, circle with { Row = 2, Col = 2 });
        EditCheck.Of(moved, source, target, EditType.Color).Should().Be(new EditCheck(false, false, false));
    }

    [Fact]
    public void A_remove_ignores_the_removed_object_and_an_add_must_match_every_attribute()
    {
        var source = WorldTestData.CircleAndSquare;
        var removeCircle = source.Without(source.Find(ShapeKind.Circle)!);
        EditCheck.Of(source, source, removeCircle, EditType.Remove).Should().Be(new EditCheck(false, true, false));
        var star = WorldTestData.Obj(ShapeKind.Star, Palette.Green, SizeKind.Small, 2, 2);
        var added = source.With(star);
        EditCheck.Of(source.With(star with { Size = SizeKind.Large }), source, added, EditType.Add).Should().Be(new EditCheck(false, true, false));
        EditCheck.Of(added, source, added, EditType.Add).Should().Be(new EditCheck(true, true, true));
    }

    [Fact]
    public void The_edit_region_covers_the_touched_cells_or_the_background()
    {
        var source = WorldTestData.CircleAndSquare;
        var circle = source.Find(ShapeKind.Circle)!;
        var moved = source.Replace(circle, circle with { Row = 2, Col = 2 });
        var mask = EditRegion.Mask(source, moved, EditType.Move, 30);
        mask.Count(m => m).Should().Be(2 * 10 * 10);
        mask[5 * 30 + 5].Should().BeTrue();
        mask[25 * 30 + 25].Should().BeTrue();
        mask[15 * 30 + 15].Should().BeFalse();

        var background = EditRegion.Mask(source, source with { Background = Palette.Black }, EditType.Background, 30);
        background[0].Should().BeTrue();
        background[5 * 30 + 5].Should().BeFalse("the circle's interior is not part of a background edit");
        EditRegion.Mask(source, source, EditType.DoNothing, 30).Should().OnlyContain(m => !m);
    }
}
