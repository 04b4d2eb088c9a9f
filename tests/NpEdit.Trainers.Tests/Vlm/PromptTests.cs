using NpEdit.Trainers.Vlm;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class PromptTests
{
    [Fact]
    public void The_chat_template_puts_images_first_and_opens_the_assistant_turn()
    {
        ChatTemplate.UserTurn(2, "Is it red?").Should().Be(
            "<|im_start|>user\n<image>\n<image>\nIs it red?<|im_end|>\n<|im_start|>assistant\n");
        ChatTemplate.UserTurn(1, "Q", system: "S").Should().StartWith("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\n<image>\n");
    }

    [Fact]
    public void The_chat_template_can_put_the_question_before_the_images()
    {
        ChatTemplate.UserTurn(2, "Is it red?", position: ImagePosition.AfterText).Should().Be(
            "<|im_start|>user\nIs it red?\n<image>\n<image>\n<|im_end|>\n<|im_start|>assistant\n");
    }

    [Fact]
    public void A_tokenizer_encodes_questions_in_its_own_image_position()
    {
        var first = TestVlms.Tokenizer;
        var after = new VlmTokenizer(first.Base, first.BaseName, first.Compact, imagePosition: ImagePosition.AfterText);
        var ids = after.EncodeQuestion(1, "Is it red?", tokensPerImage: 3);
        var question = after.Encode("Is it red?");
        int firstImage = ids.ToList().IndexOf(after.ImageTokenId);
        ids.Take(firstImage).TakeLast(question.Count + 1).Take(question.Count).Should().Equal(question, "the question comes before the image tokens");
        first.EncodeQuestion(1, "Is it red?", tokensPerImage: 3).ToList().IndexOf(first.ImageTokenId).Should().BeLessThan(firstImage);
    }

    [Fact]
    public void Each_placeholder_expands_to_the_tokens_of_one_image()
    {
        ImagePlaceholders.Expand(new[] { 1, 9, 2, 9, 4 }, 9, 3, 2).Should().Equal(1, 9, 9, 9, 2, 9, 9, 9, 4);
        var act = () => ImagePlaceholders.Expand(new[] { 1, 9 }, 9, 3, 2);
        act.Should().Throw<ArgumentException>().WithMessage("*1 image placeholders but 2 images*");
    }

    [Fact]
    public void Gpt2_recognises_the_added_special_tokens_and_single_token_answers()
    {
        var gpt2 = VlmTokenizer.Gpt2();
        gpt2.Encode("<|im_start|>user\n<image>\n").Should().StartWith(new[] { 50257 }).And.Contain(50259);
        gpt2.ImageTokenId.Should().Be(50259);
        gpt2.YesTokenId.Should().Be(gpt2.Base.EncodeToIds("Yes").Single());
        gpt2.NoTokenId.Should().NotBe(gpt2.YesTokenId);
    }

    [Fact]
    public void The_compact_vocabulary_is_small_and_maps_its_corpus_one_to_one()
    {
        var tokenizer = TestVlms.Tokenizer;
        tokenizer.Compact!.Count.Should().BeLessThan(200);
        var baseIds = tokenizer.Base.EncodeToIds("Is there a red circle?");
        tokenizer.Encode("Is there a red circle?").Should().HaveCount(baseIds.Count);
        tokenizer.Encode("Is there a red circle?").Select(id => tokenizer.Compact.BaseIds[id]).Should().Equal(baseIds);
    }

    [Fact]
    public void Words_outside_the_compact_vocabulary_fall_back_to_characters()
    {
        var tokenizer = TestVlms.Tokenizer;
        var ids = tokenizer.Encode(" zebra");
        ids.Should().HaveCount(6).And.NotContain(CompactVocabulary.UnknownId);
        string.Concat(ids.Select(id => tokenizer.Base.Decode(new[] { tokenizer.Compact!.BaseIds[id] }))).Should().Be(" zebra");
    }

    [Fact]
    public void A_question_prompt_has_the_expanded_image_tokens_and_ends_with_the_assistant_opener()
    {
        var tokenizer = TestVlms.Tokenizer;
        var ids = tokenizer.EncodeQuestion(2, "Are the two images the same?", tokensPerImage: 5);
        ids.Count(id => id == tokenizer.ImageTokenId).Should().Be(10);
        var opener = tokenizer.Encode("<|im_start|>assistant\n");
        ids.TakeLast(opener.Count).Should().Equal(opener);
    }
}
