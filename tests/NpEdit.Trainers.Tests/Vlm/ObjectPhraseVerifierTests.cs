using System.Text.RegularExpressions;
using NpEdit.Trainers.Vlm;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class ObjectPhraseVerifierTests
{
    private static readonly ObjectPhraseVerifier Verifier = new(ShapesWriter.PhraseGrammar);

    // Answers a question as the scene says: the object at each place is (shape, colour); P(Yes) is 0.99 or 0.01,
    // or the given value for a question listed in `unsure`.
    private static Func<IReadOnlyList<(int Row, string Question)>, float[]> Scene(List<string> asked, IReadOnlyDictionary<string, float>? unsure = null,
        params (string Place, string Shape, string Color)[] objects) => queries =>
    {
        asked.AddRange(queries.Select(q => q.Question));
        return queries.Select(q =>
        {
            if (unsure is not null && unsure.TryGetValue(q.Question, out var p)) return p;
            var shape = Regex.Match(q.Question, "^is the object in the (.+) a (\\w+)\\?$");
            if (shape.Success) return objects.Any(o => o.Place == shape.Groups[1].Value && o.Shape == shape.Groups[2].Value) ? 0.99f : 0.01f;
            var color = Regex.Match(q.Question, "^is the (\\w+) (\\w+)\\?$");
            if (color.Success) return objects.Any(o => o.Shape == color.Groups[1].Value && o.Color == color.Groups[2].Value) ? 0.99f : 0.01f;
            throw new InvalidOperationException($"unexpected question '{q.Question}'");
        }).ToArray();
    };

    [Fact]
    public void A_shape_its_answers_reject_becomes_the_shape_they_confirm_and_the_rest_of_the_caption_stays_as_written()
    {
        var asked = new List<string>();
        var caption = "two objects on a gray background: a large cyan square in the middle left and a small red circle in the top left";
        var verified = Verifier.Verify(["make the background gray"], [caption],
            Scene(asked, null, ("middle left", "ring", "cyan"), ("top left", "circle", "red")));

        verified.Should().Equal("two objects on a gray background: a large cyan ring in the middle left and a small red circle in the top left");
        asked.Should().Contain("is the object in the middle left a ring?").And.Contain("is the ring cyan?");
    }

    [Fact]
    public void A_word_the_instruction_names_is_kept_because_the_edit_may_have_made_it()
    {
        var caption = "a large cyan square in the middle left on a gray background";
        // The source shows a ring; the instruction asks for a square, so "square" is the edit, not a misreading.
        Verifier.Verify(["replace the ring with a square"], [caption], Scene([], null, ("middle left", "ring", "cyan")))
            .Should().Equal(caption);
        // Likewise a colour the instruction names.
        var recoloured = "a large green ring in the middle left on a gray background";
        Verifier.Verify(["make the ring green"], [recoloured], Scene([], null, ("middle left", "ring", "cyan")))
            .Should().Equal(recoloured);
    }

    [Fact]
    public void A_word_the_answers_do_not_clearly_reject_or_no_other_word_they_clearly_confirm_is_kept()
    {
        var caption = "a small pink circle in the bottom right on a gray background";
        var square = new Dictionary<string, float> { ["is the object in the bottom right a circle?"] = 0.6f };
        Verifier.Verify(["make the background gray"], [caption], Scene([], square, ("bottom right", "square", "pink")))
            .Should().Equal(new[] { caption }, "0.6 is not below the reject threshold of 0.5");

        var weakSquare = new Dictionary<string, float> { ["is the object in the bottom right a square?"] = 0.8f };
        Verifier.Verify(["make the background gray"], [caption], Scene([], weakSquare, ("bottom right", "square", "pink")))
            .Should().Equal(new[] { caption }, "no other shape reaches the accept threshold of 0.9");
    }

    [Fact]
    public void A_colour_is_asked_only_of_a_shape_confirmed_at_its_place_and_named_once()
    {
        var asked = new List<string>();
        // Nothing stands in the top right of the source (a moved object): its shape is unconfirmed, so its colour is not asked.
        var moved = "a large yellow triangle in the top right on a gray background";
        Verifier.Verify(["put the triangle in the top right"], [moved], Scene(asked, null, ("center", "triangle", "orange")))
            .Should().Equal(moved);
        asked.Should().NotContain(q => q.StartsWith("is the triangle", StringComparison.Ordinal));

        // Two stars: "is the star blue?" could be about either, so neither colour is asked.
        asked.Clear();
        var twoStars = "a large red star in the top left and a small blue star in the center on a gray background";
        Verifier.Verify(["make the background gray"], [twoStars], Scene(asked, null, ("top left", "star", "green"), ("center", "star", "blue")))
            .Should().Equal(twoStars);
        asked.Should().NotContain(q => q.StartsWith("is the star", StringComparison.Ordinal));
    }

    [Fact]
    public void A_colour_its_answers_reject_is_corrected_once_the_shape_is_confirmed()
    {
        var caption = "a small yellow triangle in the center and a large blue circle in the top left on a navy background";
        Verifier.Verify(["make the background navy"], [caption], Scene([], null, ("center", "triangle", "orange"), ("top left", "circle", "blue")))
            .Should().Equal("a small orange triangle in the center and a large blue circle in the top left on a navy background");
    }

    [Fact]
    public void Captions_without_object_phrases_are_returned_as_they_are_and_ask_nothing()
    {
        var asked = new List<string>();
        Verifier.Verify(["make the background gray", "remove the ring"], ["a plain gray background", "nothing"], Scene(asked))
            .Should().Equal("a plain gray background", "nothing");
        asked.Should().BeEmpty();
    }

    [Fact]
    public void Thresholds_outside_probabilities_or_a_reject_above_accept_are_refused()
    {
        FluentActions.Invoking(() => new ObjectPhraseVerifier(ShapesWriter.PhraseGrammar, accept: 0.4, reject: 0.5)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new ObjectPhraseVerifier(ShapesWriter.PhraseGrammar, accept: 1.5)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new ObjectPhraseVerifier(ShapesWriter.PhraseGrammar, reject: -0.1)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
