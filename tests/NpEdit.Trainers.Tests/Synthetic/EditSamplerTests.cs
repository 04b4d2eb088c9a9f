using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class EditSamplerTests
{
    [Theory]
    [MemberData(nameof(WorldTestData.AllEditTypes), MemberType = typeof(WorldTestData))]
    public void Every_category_yields_a_valid_target_and_captions_of_both_scenes(EditType type)
    {
        foreach (var edit in WorldTestData.Edits(type, 150))
        {
            edit.EditType.Should().Be(type);
            SceneRules.Violation(edit.Target).Should().BeNull(edit.Instruction);
            AssertDescribes(edit.SourceCaption, edit.Source);
            AssertDescribes(edit.EditedCaption, edit.Target);
            InstructionTemplates.For(type).Any(t => t.Id == edit.InstructionTemplateId && t.Matches(edit.Instruction)).Should().BeTrue(edit.Instruction);
            var check = EditCheck.Of(edit.Target, edit.Source, edit.Target, type);
            check.Should().Be(new EditCheck(true, true, true));
        }
    }

    [Fact]
    public void A_color_edit_changes_one_colour_and_names_the_new_one()
    {
        foreach (var edit in WorldTestData.Edits(EditType.Color, 100))
        {
            var (before, after) = EditedObjects.Find(edit.Source, edit.Target, edit.EditType);
            after.Should().Be(before! with { Color = after!.Color });
            after.Color.Should().NotBe(before.Color);
            edit.ObjectPhrase.Should().Be(WorldVocabulary.ShapeNoun(before.Shape));
            edit.Instruction.Should().Contain(after.Color.Name).And.Contain(edit.ObjectPhrase);
            edit.EditedCaption.Should().Contain($"{after.Color.Name} {edit.ObjectPhrase}");
        }
    }

    [Fact]
    public void A_remove_edit_needs_two_objects_and_drops_exactly_one()
    {
        EditSampler.IsApplicable(Scene.Create(Palette.Gray, [WorldTestData.Obj(ShapeKind.Ring, Palette.Red, SizeKind.Large, 0, 0)]), EditType.Remove, WorldSplit.Eval)
            .Should().BeFalse();
        foreach (var edit in WorldTestData.Edits(EditType.Remove, 100))
        {
            edit.Source.Objects.Count.Should().BeGreaterThanOrEqualTo(2);
            var (before, _) = EditedObjects.Find(edit.Source, edit.Target, edit.EditType);
            edit.Target.Should().Be(edit.Source.Without(before!));
            edit.EditedCaption.Should().NotContain(edit.ObjectPhrase);
        }
    }

    [Fact]
    public void An_add_edit_puts_a_new_shape_in_an_empty_cell_and_says_everything_about_it()
    {
        foreach (var edit in WorldTestData.Edits(EditType.Add, 100))
        {
            edit.Source.Objects.Count.Should().BeLessThan(3);
            var (_, added) = EditedObjects.Find(edit.Source, edit.Target, edit.EditType);
            edit.Source.Has(added!.Shape).Should().BeFalse();
            edit.Source.IsOccupied(added.Row, added.Col).Should().BeFalse();
            edit.Target.Should().Be(edit.Source.With(added));
            edit.Instruction.Should().Contain(WorldVocabulary.SizeWord(added.Size)).And.Contain(added.Color.Name)
                .And.Contain(WorldVocabulary.ShapeNoun(added.Shape)).And.Contain(WorldVocabulary.CellName(added.Row, added.Col));
        }
    }

    [Fact]
    public void A_replace_edit_swaps_the_shape_and_keeps_colour_size_and_place()
    {
        foreach (var edit in WorldTestData.Edits(EditType.Replace, 100))
        {
            var (before, after) = EditedObjects.Find(edit.Source, edit.Target, edit.EditType);
            after.Should().Be(before! with { Shape = after!.Shape });
            edit.Source.Has(after.Shape).Should().BeFalse();
            edit.Instruction.Should().Contain(WorldVocabulary.ShapeNoun(after.Shape));
        }
    }

    [Fact]
    public void A_background_edit_changes_only_the_background()
    {
        foreach (var edit in WorldTestData.Edits(EditType.Background, 100))
        {
            edit.Target.Background.Should().NotBe(edit.Source.Background);
            edit.Target.Objects.Should().Equal(edit.Source.Objects);
            edit.ObjectPhrase.Should().BeEmpty();
            edit.Instruction.Should().Contain(edit.Target.Background.Name);
        }
    }

    [Fact]
    public void A_size_edit_flips_the_size_and_keeps_the_object_in_its_cell()
    {
        foreach (var edit in WorldTestData.Edits(EditType.Size, 100))
        {
            var (before, after) = EditedObjects.Find(edit.Source, edit.Target, edit.EditType);
            after!.Size.Should().NotBe(before!.Size);
            after.SameContent(before with { Size = after.Size }).Should().BeTrue();
            Math.Abs(after.JitterX).Should().BeLessThanOrEqualTo(SceneLayout.MaxJitter(after.Size));
        }
    }

    [Fact]
    public void A_move_edit_goes_to_a_cell_that_was_empty()
    {
        foreach (var edit in WorldTestData.Edits(EditType.Move, 100))
        {
            var (before, after) = EditedObjects.Find(edit.Source, edit.Target, edit.EditType);
            after.Should().Be(before! with { Row = after!.Row, Col = after.Col });
            edit.Source.IsOccupied(after.Row, after.Col).Should().BeFalse();
            edit.Instruction.Should().EndWith(WorldVocabulary.CellName(after.Row, after.Col));
        }
    }

    [Fact]
    public void Do_nothing_keeps_the_scene_and_its_caption()
    {
        foreach (var edit in WorldTestData.Edits(EditType.DoNothing, 50))
        {
            edit.Target.Should().Be(edit.Source);
            edit.EditedCaption.Should().Be(edit.SourceCaption);
            edit.ObjectPhrase.Should().BeEmpty();
        }
        InstructionTemplates.For(EditType.DoNothing).Should().Contain(t => t.Pattern == "do nothing.");
    }

    [Fact]
    public void Every_category_is_sampled_and_several_phrasings_are_used()
    {
        var edits = Enumerable.Range(0, 1600).Select(i => WorldRows.Edit(1, i, WorldSplit.Train)).ToArray();
        foreach (var type in Enum.GetValues<EditType>())
        {
            var ofType = edits.Where(e => e.EditType == type).ToArray();
            ofType.Length.Should().BeGreaterThan(80, $"{type} should be common");
            ofType.Select(e => e.InstructionTemplateId).Distinct().Count().Should().BeGreaterThanOrEqualTo(4);
        }
    }

    private static void AssertDescribes(string caption, Scene scene)
    {
        foreach (var o in scene.Objects) caption.Should().Contain(WorldVocabulary.ObjectPhrase(o));
        caption.Split(" in the ").Length.Should().Be(scene.Objects.Count + 1, caption);
        caption.Should().Contain(scene.Background.Name);
    }
}
