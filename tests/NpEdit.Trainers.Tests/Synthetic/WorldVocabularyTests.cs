using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class WorldVocabularyTests
{
    [Fact]
    public void Every_generated_text_is_made_of_vocabulary_words()
    {
        var words = WorldVocabulary.Words.ToHashSet();
        var texts = new List<string>();
        for (int i = 0; i < 400; i++)
        {
            var edit = WorldRows.Edit(0, i, WorldSplit.Eval);
            texts.AddRange([edit.Instruction, edit.SourceCaption, edit.EditedCaption]);
            texts.AddRange(NpEditQuestions.For(edit).Select(q => q.Question));
            texts.Add(WorldRows.Judge(0, i, WorldSplit.Eval).Question);
        }
        foreach (var text in texts)
        {
            WorldVocabulary.Tokenize(text).Where(t => !words.Contains(t)).Should().BeEmpty(text);
        }
        words.Count.Should().BeLessThan(250, "the world speaks a small closed language");
    }

    [Fact]
    public void Tokens_are_lower_case_words_and_single_punctuation_marks()
    {
        WorldVocabulary.Tokenize("Change the circle's colour to blue.").Should()
            .Equal("change", "the", "circle", "'", "s", "colour", "to", "blue", ".");
    }

    [Fact]
    public void Cell_names_are_distinct()
    {
        SceneLayout.AllCells().Select(c => WorldVocabulary.CellName(c.Row, c.Col)).Distinct().Should().HaveCount(9);
    }
}
