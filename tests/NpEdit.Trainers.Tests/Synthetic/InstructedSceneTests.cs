using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class InstructedSceneTests
{
    private static readonly IReadOnlyDictionary<string, PhraseTemplate> Templates = InstructionTemplates.All.ToDictionary(t => t.Id);

    [Fact]
    public void Without_instruction_rows_the_text_to_image_rows_are_the_caption_rows()
    {
        for (int i = 0; i < 50; i++)
        {
            var row = WorldRows.TextToImage(3, i, WorldSplit.Train, instructionProbability: 0);
            var caption = WorldRows.Caption(3, i, WorldSplit.Train);
            row.Caption.Should().Be(caption.Caption);
            row.Scene.Should().Be(caption.Scene);
        }
    }

    [Fact]
    public void Instruction_rows_use_training_templates_and_their_share_follows_the_probability()
    {
        var rows = Enumerable.Range(0, 400).Select(i => WorldRows.TextToImage(3, i, WorldSplit.Train, instructionProbability: 0.5)).ToList();
        var instructed = rows.Where(r => Templates.ContainsKey(r.TemplateId)).ToList();
        instructed.Count.Should().BeInRange(160, 240);
        instructed.Should().OnlyContain(r => !Templates[r.TemplateId].HeldOut, "held-out phrasings stay out of training");
        instructed.Should().OnlyContain(r => Templates[r.TemplateId].Matches(r.Caption));
        rows.Select(r => r.Caption).Should().Equal(
            Enumerable.Range(0, 400).Select(i => WorldRows.TextToImage(3, i, WorldSplit.Train, 0.5).Caption), "a row is a function of (seed, index)");
    }

    [Fact]
    public void The_image_shows_what_the_instruction_asks_for()
    {
        int checkedRows = 0;
        for (int i = 0; i < 300; i++)
        {
            var row = WorldRows.TextToImage(4, i, WorldSplit.Train, instructionProbability: 1);
            var slots = Templates[row.TemplateId].Match(row.Caption)!;
            switch (row.TemplateId.Split('.')[0])
            {
                case "color" or "add":
                    row.Scene.Objects.Should().Contain(o => o.Color.Name == slots["color"] && WorldVocabulary.ShapeNoun(o.Shape) == slots["shape"], row.Caption);
                    checkedRows++;
                    break;
                case "remove":
                    row.Scene.Objects.Should().NotContain(o => WorldVocabulary.ShapeNoun(o.Shape) == slots["shape"], row.Caption);
                    checkedRows++;
                    break;
                case "background":
                    row.Scene.Background.Name.Should().Be(slots["bg"], row.Caption);
                    checkedRows++;
                    break;
            }
        }
        checkedRows.Should().BeGreaterThan(80);
    }
}
