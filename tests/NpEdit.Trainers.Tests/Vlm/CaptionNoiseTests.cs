using NpEdit.Trainers.Vlm;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class CaptionNoiseTests
{
    private const int TokensPerImage = 4;
    private static readonly Lazy<VlmTokenizer> WorldTokenizer = new(() => ShapesJudge.CreateTokenizer());

    private static CaptionNoise Noise(double drop, double swap) =>
        new(WorldTokenizer.Value, drop, swap, ShapesWriter.SwapClasses, TokensPerImage);

    private static int[] Prompt(string instruction) =>
        WorldTokenizer.Value.EncodeQuestion(1, EditedCaptionWriter.Prompt(instruction), TokensPerImage);

    private static int[] Answer(string caption) => WorldTokenizer.Value.Encode(caption).Append(WorldTokenizer.Value.SingleTokenId(ChatTemplate.ImEnd)).ToArray();

    [Theory]
    [InlineData("make the circle red")]
    [InlineData("get rid of the ring")]
    [InlineData("in the top left, add a small blue star")]
    public void The_instruction_span_holds_exactly_the_instructions_tokens(string instruction)
    {
        var prompt = Prompt(instruction);
        WorldTokenizer.Value.Decode(prompt[Noise(0, 0).InstructionSpan(prompt)]).Trim().Should().Be(instruction);
    }

    [Fact]
    public void Word_classes_are_the_worlds_colours_shapes_and_sizes_each_one_token()
    {
        var classes = Noise(0, 0).Classes;
        classes.Select(c => c.Count).Should().Equal(8, 4, 5, 2);
        classes[2].Select(id => WorldTokenizer.Value.Decode([id]).Trim()).Should().BeEquivalentTo("circle", "square", "triangle", "star", "ring");
    }

    [Fact]
    public void No_noise_gives_the_clean_sequences()
    {
        var prompts = new[] { Prompt("make the circle red"), Prompt("remove the star") };
        var answers = new[] { Answer("a large red circle in the center on a gray background"), Answer("a gray background") };
        var (inputs, gray) = Noise(0, 0).Apply(prompts, answers, new Random(1));
        gray.Should().Equal(false, false);
        inputs[0].Should().Equal(prompts[0].Concat(answers[0]));
        inputs[1].Should().Equal(prompts[1].Concat(answers[1]));
    }

    [Fact]
    public void Instruction_drop_touches_only_the_instruction_and_replaces_with_unknown_or_batch_words()
    {
        var prompts = new[] { Prompt("make the circle red"), Prompt("move the star to the top left") };
        var answers = new[] { Answer("a large red circle in the center on a gray background"), Answer("a small blue star in the top left on a navy background") };
        var noise = Noise(1, 0);
        var inputs = noise.Apply(prompts, answers, new Random(2)).Inputs;
        var pool = prompts.SelectMany(p => p[noise.InstructionSpan(p)]).Append(CompactVocabulary.UnknownId).ToHashSet();
        bool anyUnknown = false, anyWord = false;
        for (int row = 0; row < 2; row++)
        {
            var (start, length) = noise.InstructionSpan(prompts[row]).GetOffsetAndLength(prompts[row].Length);
            for (int i = 0; i < inputs[row].Length; i++)
            {
                var clean = i < prompts[row].Length ? prompts[row][i] : answers[row][i - prompts[row].Length];
                if (i >= start && i < start + length)
                {
                    pool.Should().Contain(inputs[row][i]);
                    anyUnknown |= inputs[row][i] == CompactVocabulary.UnknownId;
                    anyWord |= inputs[row][i] != CompactVocabulary.UnknownId;
                }
                else inputs[row][i].Should().Be(clean, "only the instruction is dropped (position {0})", i);
            }
        }
        anyUnknown.Should().BeTrue();
        anyWord.Should().BeTrue();
    }

    [Fact]
    public void Attribute_swap_replaces_each_class_word_with_another_of_its_class_and_nothing_else()
    {
        var prompts = new[] { Prompt("make the circle red") };
        var answers = new[] { Answer("a large red circle in the center and a small cyan square in the top left on a gray background") };
        var noise = Noise(0, 1);
        var input = noise.Apply(prompts, answers, new Random(3)).Inputs[0];
        input.Take(prompts[0].Length).Should().Equal(prompts[0]);
        var answerIn = input.Skip(prompts[0].Length).ToArray();
        int swapped = 0;
        for (int i = 0; i < answerIn.Length; i++)
        {
            var home = noise.Classes.FirstOrDefault(c => c.Contains(answers[0][i]));
            if (home is null)
            {
                answerIn[i].Should().Be(answers[0][i]);
                continue;
            }
            home.Should().Contain(answerIn[i]);
            answerIn[i].Should().NotBe(answers[0][i]);
            swapped++;
        }
        swapped.Should().Be(7); // large red circle, small cyan square, gray
    }

    [Fact]
    public void The_same_generator_state_gives_the_same_noise()
    {
        var prompts = new[] { Prompt("turn the triangle into a star"), Prompt("make the background white") };
        var answers = new[] { Answer("a large green star in the center on a gray background"), Answer("a small pink ring in the top right on a white background") };
        var noise = Noise(0.3, 0.3);
        var a = noise.Apply(prompts, answers, new Random(9)).Inputs;
        var b = noise.Apply(prompts, answers, new Random(9)).Inputs;
        a.Zip(b).Should().OnlyContain(p => p.First.SequenceEqual(p.Second));
    }

    [Fact]
    public void With_noise_the_caption_loss_reads_noisy_inputs_but_scores_the_clean_caption()
    {
        using var model = TestVlms.ModelForTokenizer();
        var tokenizer = TestVlms.Tokenizer;
        using var scope = NewDisposeScope();
        var images = torch.stack(new[] { TestVlms.RandomImage(1), TestVlms.RandomImage(2) });
        var prompts = new[] { "make the circle red. describe the image after this edit.", "remove the square. describe the image after this edit." };
        var captions = new[] { "a red circle", "a blue square" };
        var noise = new CaptionNoise(tokenizer, 0, 1, [["red", "blue"], ["circle", "square"]], model.Config.TokensPerImage);
        noise.Classes.Should().HaveCount(2, "the test corpus has these words as single tokens");
        var noisy = CaptionLoss.Compute(model, tokenizer, images, prompts, captions, noise: noise, random: new Random(4)).item<float>();

        // By hand: the noisy input sequences, scored against the clean caption tokens.
        int imEnd = tokenizer.SingleTokenId(ChatTemplate.ImEnd);
        var promptIds = prompts.Select(p => tokenizer.EncodeQuestion(1, p, model.Config.TokensPerImage)).ToArray();
        var answerIds = captions.Select(c => tokenizer.Encode(c).Append(imEnd).ToArray()).ToArray();
        var inputs = noise.Apply(promptIds, answerIds, new Random(4)).Inputs;
        double total = 0;
        int count = 0;
        for (int row = 0; row < 2; row++)
        {
            inputs[row].Skip(promptIds[row].Length).Should().NotEqual(answerIds[row], "every colour and shape is swapped");
            var ids = torch.tensor(inputs[row].Select(i => (long)i).ToArray()).view(1, -1);
            var features = model.ImageFeatures(VlmImageProcessor.Preprocess(images[row].unsqueeze(0), model.Config));
            var logProbs = nn.functional.log_softmax(model.Logits(model.Forward(ids, torch.ones_like(ids), features))[0], 1);
            for (int j = 0; j < answerIds[row].Length; j++)
            {
                total -= logProbs[promptIds[row].Length - 1 + j, answerIds[row][j]].item<float>();
                count++;
            }
        }
        noisy.Should().BeApproximately((float)(total / count), 1e-4f);
    }

    [Fact]
    public void Grayscale_rows_show_luminance_in_every_channel_and_other_rows_are_untouched()
    {
        using var scope = NewDisposeScope();
        var images = torch.stack(new[] { TestVlms.RandomImage(5), TestVlms.RandomImage(6) });
        var gray = CaptionLoss.Grayscale(images, [true, false]).data<float>().ToArray();
        var source = images.data<float>().ToArray();
        int plane = source.Length / 6; // two images of three channels
        for (int i = 0; i < plane; i++)
        {
            float luminance = 0.299f * source[i] + 0.587f * source[plane + i] + 0.114f * source[2 * plane + i];
            for (int c = 0; c < 3; c++) gray[c * plane + i].Should().BeApproximately(luminance, 1e-5f);
        }
        gray.Skip(3 * plane).Should().Equal(source.Skip(3 * plane));
    }

    [Fact]
    public void A_grayscale_row_scores_every_caption_token_but_its_colours_on_the_luminance_image()
    {
        using var model = TestVlms.ModelForTokenizer();
        var tokenizer = TestVlms.Tokenizer;
        using var scope = NewDisposeScope();
        var images = TestVlms.RandomImage(7).unsqueeze(0);
        var prompts = new[] { "make the circle red. describe the image after this edit." };
        var captions = new[] { "a red circle and a blue square" };
        var noise = new CaptionNoise(tokenizer, 0, 0, [], model.Config.TokensPerImage, grayscaleRate: 1, colorWords: ["red", "blue"]);
        var loss = CaptionLoss.Compute(model, tokenizer, images, prompts, captions, noise: noise, random: new Random(1)).item<float>();

        int imEnd = tokenizer.SingleTokenId(ChatTemplate.ImEnd);
        var prompt = tokenizer.EncodeQuestion(1, prompts[0], model.Config.TokensPerImage);
        var answer = tokenizer.Encode(captions[0]).Append(imEnd).ToArray();
        var ids = torch.tensor(prompt.Concat(answer).Select(i => (long)i).ToArray()).view(1, -1);
        var features = model.ImageFeatures(VlmImageProcessor.Preprocess(CaptionLoss.Grayscale(images, [true]), model.Config));
        var logProbs = nn.functional.log_softmax(model.Logits(model.Forward(ids, torch.ones_like(ids), features))[0], 1);
        double total = 0;
        int count = 0;
        for (int j = 0; j < answer.Length; j++)
        {
            if (noise.IsColor(answer[j])) continue;
            total -= logProbs[prompt.Length - 1 + j, answer[j]].item<float>();
            count++;
        }
        count.Should().Be(answer.Length - 2, "the two colour words are not scored");
        loss.Should().BeApproximately((float)(total / count), 1e-4f);
    }
}
