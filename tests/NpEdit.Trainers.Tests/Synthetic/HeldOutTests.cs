using Microsoft.ML.Data;
using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class HeldOutTests
{
    private static readonly PhraseTemplate[] HeldOutTemplates = WorldVocabulary.AllTemplates().Where(t => t.HeldOut).ToArray();

    [Fact]
    public void About_a_tenth_of_the_combinations_and_a_template_per_category_are_held_out()
    {
        HeldOut.Combinations.Should().HaveCount(4);
        foreach (var (shape, color) in HeldOut.Combinations)
        {
            Palette.ObjectColors.Count(c => HeldOut.Allows(WorldSplit.Train, shape, c)).Should().Be(7);
        }
        foreach (var type in Enum.GetValues<EditType>()) InstructionTemplates.For(type).Should().Contain(t => t.HeldOut);
        foreach (var kind in QuestionKinds.General) QuestionTemplates.For(kind).Should().Contain(t => t.HeldOut);
        CaptionTemplate.All.Should().Contain(t => t.Phrase.HeldOut);
    }

    [Fact]
    public void Training_edit_rows_never_show_a_held_out_template_or_combination()
    {
        for (int i = 0; i < 3000; i++)
        {
            var edit = WorldRows.Edit(11, i, WorldSplit.Train);
            edit.UsesHeldOut.Should().BeFalse();
            foreach (var text in new[] { edit.Instruction, edit.SourceCaption, edit.EditedCaption })
            {
                HeldOutIdsMatching(text).Should().BeEmpty(text);
            }
        }
    }

    [Fact]
    public void The_training_data_view_never_shows_a_held_out_phrasing()
    {
        var view = WorldDataViews.TrainingRows(null, 1000, seed: 4);
        using var cursor = view.GetRowCursor(view.Schema);
        var instruction = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema[WorldColumns.Instruction]);
        var caption = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema[WorldColumns.EditedCaption]);
        ReadOnlyMemory<char> text = default;
        while (cursor.MoveNext())
        {
            instruction(ref text);
            HeldOutIdsMatching(text.ToString()).Should().BeEmpty();
            caption(ref text);
            HeldOutIdsMatching(text.ToString()).Should().BeEmpty();
        }
    }

    [Fact]
    public void Training_questions_and_captions_never_use_held_out_phrasings_or_combinations()
    {
        for (int i = 0; i < 1500; i++)
        {
            var question = WorldRows.Judge(2, i, WorldSplit.Train);
            HeldOut.IsHeldOutTemplate(question.TemplateId).Should().BeFalse(question.Question);
            question.Images.Any(HeldOut.ContainsHeldOutCombination).Should().BeFalse(question.Question);
            HeldOutIdsMatching(question.Question).Should().BeEmpty(question.Question);
            var caption = WorldRows.Caption(2, i, WorldSplit.Train);
            HeldOut.ContainsHeldOutCombination(caption.Scene).Should().BeFalse();
            HeldOut.IsHeldOutTemplate(caption.TemplateId).Should().BeFalse();
        }
    }

    [Fact]
    public void Evaluation_rows_do_use_held_out_templates_and_combinations()
    {
        var edits = Enumerable.Range(0, 1000).Select(i => WorldRows.Edit(0, i, WorldSplit.Eval)).ToArray();
        edits.Should().Contain(e => HeldOut.IsHeldOutTemplate(e.InstructionTemplateId));
        edits.Should().Contain(e => HeldOut.IsHeldOutTemplate(e.CaptionTemplateId));
        edits.Should().Contain(e => HeldOut.ContainsHeldOutCombination(e.Target));
        edits.Count(e => e.UsesHeldOut).Should().BeInRange(200, 800);
    }

    [Fact]
    public void Held_out_templates_are_phrased_so_no_training_template_can_produce_them()
    {
        var phrasings = new[] { "recolor the circle in blue", "get rid of the circle", "draw a small red star in the center",
            "transform the circle into a star", "use a navy background", "resize the ring to be large", "relocate the star to the top left",
            "leave it unchanged", "a large red circle in the top left, set against a gray backdrop" };
        var training = WorldVocabulary.AllTemplates().Where(t => !t.HeldOut).ToArray();
        foreach (var text in phrasings)
        {
            HeldOutTemplates.Should().Contain(t => CanProduce(t, text), text);
            training.Should().NotContain(t => CanProduce(t, text), text);
        }
    }

    // Plain LINQ in hot loops: FluentAssertions compiles an expression tree per predicate call.
    private static IEnumerable<string> HeldOutIdsMatching(string text) => HeldOutTemplates.Where(t => t.Matches(text)).Select(t => t.Id);

    /// <summary>Whether the template produces the text with slot values the world actually uses.</summary>
    private static bool CanProduce(PhraseTemplate template, string text)
    {
        var slots = template.Match(text);
        return slots is not null && slots.All(s => !SlotValues.TryGetValue(s.Key, out var values) || values.Contains(s.Value));
    }

    private static readonly Dictionary<string, string[]> SlotValues = BuildSlotValues();

    private static Dictionary<string, string[]> BuildSlotValues()
    {
        var shapes = Enum.GetValues<ShapeKind>().Select(WorldVocabulary.ShapeNoun).ToArray();
        var colors = Palette.ObjectColors.Select(c => c.Name).ToArray();
        return new()
        {
            ["shape"] = shapes, ["new_shape"] = shapes, ["color"] = colors, ["old_color"] = colors,
            ["bg"] = Palette.BackgroundColors.Select(c => c.Name).ToArray(),
            ["size"] = Enum.GetValues<SizeKind>().Select(WorldVocabulary.SizeWord).ToArray(),
            ["pos"] = SceneLayout.AllCells().Select(c => WorldVocabulary.CellName(c.Row, c.Col)).ToArray(),
            ["bigger"] = ["bigger", "smaller"], ["enlarge"] = ["enlarge", "shrink"],
        };
    }
}
