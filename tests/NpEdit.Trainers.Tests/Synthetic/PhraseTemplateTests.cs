using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class PhraseTemplateTests
{
    private static readonly PhraseTemplate Add = new("t.add", "add a {size} {color} {shape} in the {pos}");

    [Fact]
    public void Filling_fixes_the_article_before_a_vowel()
    {
        var slots = new Dictionary<string, string> { ["size"] = "large", ["color"] = "orange", ["shape"] = "ring", ["pos"] = "center" };
        Add.Fill(slots).Should().Be("add a large orange ring in the center");
        new PhraseTemplate("t", "is there a {color} {shape}?").Fill(slots).Should().Be("is there an orange ring?");
    }

    [Fact]
    public void Matching_recovers_the_slot_values()
    {
        Add.Match("add a small red star in the top left").Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["size"] = "small", ["color"] = "red", ["shape"] = "star", ["pos"] = "top left",
        });
        Add.Matches("put a small red star in the top left").Should().BeFalse();
    }

    [Fact]
    public void A_missing_slot_is_an_error_naming_it()
    {
        var act = () => Add.Fill(new Dictionary<string, string>());
        act.Should().Throw<ArgumentException>().WithMessage("*size*");
    }

    [Fact]
    public void Template_ids_are_unique()
    {
        WorldVocabulary.AllTemplates().Select(t => t.Id).Should().OnlyHaveUniqueItems();
    }
}
