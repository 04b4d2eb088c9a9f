using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Runtime;
using NpEdit.Trainers.Vlm;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

[Collection(DeterminismCollection.Name)]
public sealed class EditedCaptionWriterTests
{
    [Fact]
    public void The_prompt_asks_for_the_image_after_the_instruction()
    {
        EditedCaptionWriter.Prompt(" make the circle blue. ").Should().Be("make the circle blue. describe the image after this edit.");
    }

    [Fact]
    public void Decoding_the_encoded_text_gives_it_back()
    {
        const string text = "a red circle on a gray background, then more";
        TestVlms.Tokenizer.Decode(TestVlms.Tokenizer.Encode(text)).Should().Be(text);
    }

    [Fact]
    public void Each_written_token_is_the_argmax_of_an_unpadded_forward_over_the_prompt_and_the_tokens_before_it()
    {
        using var model = TestVlms.ModelForTokenizer(seed: 4);
        var tokenizer = TestVlms.Tokenizer;
        var images = new[] { Image(20, 40, 230), Image(230, 30, 20) };
        var instructions = new[] { "make the square red", "make it a much larger blue circle" };
        var writer = new EditedCaptionWriter(model, tokenizer, maxTokens: 6);
        var written = writer.Write(images, instructions);

        written.Should().HaveCount(2);
        int imEnd = tokenizer.SingleTokenId(ChatTemplate.ImEnd);
        for (int row = 0; row < 2; row++)
        {
            using var scope = NewDisposeScope();
            using var noGrad = torch.no_grad();
            var features = model.ImageFeatures(VlmImageProcessor.Preprocess(ImageTensors.ToBatch(new[] { images[row] }), model.Config));
            var ids = tokenizer.EncodeQuestion(1, EditedCaptionWriter.Prompt(instructions[row]), model.Config.TokensPerImage).ToList();
            var expected = new List<int>();
            for (int t = 0; t < 6; t++)
            {
                var input = torch.tensor(ids.Select(i => (long)i).ToArray()).view(1, -1);
                int next = (int)model.Logits(model.Forward(input, torch.ones_like(input), features))[0, -1].argmax().item<long>();
                if (next == imEnd) break;
                expected.Add(next);
                ids.Add(next);
            }
            written[row].Should().Be(tokenizer.Decode(expected).Trim(), $"row {row} is decoded greedily on its own, whatever the batch's padding");
        }
    }

    [Fact]
    public void A_judge_trained_on_edit_rows_writes_the_caption_that_depends_on_both_the_image_and_the_instruction()
    {
        // The edited caption is the instruction's colour, or the image's own when the instruction keeps it.
        var rows = new[]
        {
            (Blue: true, Instruction: "make the square red", Caption: "a red square"),
            (Blue: false, Instruction: "make the square red", Caption: "a red square"),
            (Blue: true, Instruction: "keep the square", Caption: "a blue square"),
            (Blue: false, Instruction: "keep the square", Caption: "a red square"),
        };
        var mlContext = new MLContext(seed: 0);
        var edits = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 400).Select(i => rows[i % rows.Length]).Select(r => new EditCaptionRow
        {
            Image = MLImageInterop.ToMLImage(r.Blue ? Image(20, 40, 230) : Image(230, 30, 20)),
            Instruction = r.Instruction,
            EditedCaption = r.Caption,
        }));
        var options = WriterOptions(edits, steps: 100, learningRate: 1e-2, captionBatchSize: 8);
        options.WarmupSteps = 5;
        var trainer = new JudgeTrainer(mlContext, options);
        using var judge = trainer.Fit(JudgeTestRows.Create(mlContext, 400));
        trainer.LossHistory.Last().Losses["caption"].Should().BeLessThan(0.2 * trainer.LossHistory.First().Losses["caption"]);

        var writer = new EditedCaptionWriter(judge.Model, judge.Tokenizer, maxTokens: 12);
        var written = writer.Write(rows.Select(r => r.Blue ? Image(20, 40, 230) : Image(230, 30, 20)).ToList(), rows.Select(r => r.Instruction).ToList());
        written.Should().Equal(rows.Select(r => r.Caption));
    }

    [Fact]
    public void Freezing_the_vision_side_trains_the_decoder_and_leaves_the_tower_and_projector_bit_for_bit()
    {
        var mlContext = new MLContext(seed: 0);
        var edits = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 64).Select(i => new EditCaptionRow
        {
            Image = MLImageInterop.ToMLImage(i % 2 == 0 ? Image(20, 40, 230) : Image(230, 30, 20)),
            Instruction = "make the square red",
            EditedCaption = "a red square",
        }));
        JudgeTrainer.Options Options(int steps, double lr, bool freeze)
        {
            var options = WriterOptions(edits, steps, lr, captionBatchSize: 4);
            options.FreezeVision = freeze;
            return options;
        }
        // A zero learning rate moves nothing, so this is the seeded initial judge.
        using var initial = new JudgeTrainer(mlContext, Options(1, 0.0, freeze: false)).Fit(JudgeTestRows.Create(mlContext, 64));
        using var trained = new JudgeTrainer(mlContext, Options(5, 1e-2, freeze: true)).Fit(JudgeTestRows.Create(mlContext, 64));

        var before = initial.Model.state_dict();
        var after = trained.Model.state_dict();
        before.Keys.Should().Equal(after.Keys);
        foreach (var key in before.Keys.Where(k => !k.StartsWith("language_model.", StringComparison.Ordinal)))
            before[key].eq(after[key]).all().item<bool>().Should().BeTrue($"{key} is on the vision side, which is frozen");
        before.Keys.Where(k => k.StartsWith("language_model.", StringComparison.Ordinal)).Count(k => !before[k].eq(after[k]).all().item<bool>())
            .Should().BeGreaterThan(0, "the decoder trains");
    }

    [Fact]
    public void Caption_noise_changes_what_a_writer_learns_repeatably_and_instruction_drop_needs_an_instruction_column()
    {
        var mlContext = new MLContext(seed: 0);
        var edits = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 64).Select(i => new EditCaptionRow
        {
            Image = MLImageInterop.ToMLImage(i % 2 == 0 ? Image(20, 40, 230) : Image(230, 30, 20)),
            Instruction = i % 2 == 0 ? "make the square red" : "make the circle blue",
            EditedCaption = i % 2 == 0 ? "a red square" : "a blue circle",
        }));
        JudgeTrainer.Options Options(double drop, double swap)
        {
            var options = WriterOptions(edits, steps: 3, learningRate: 1e-2, captionBatchSize: 4);
            options.CaptionInstructionDropRate = drop;
            options.CaptionAttributeSwapRate = swap;
            options.CaptionSwapClasses = [["red", "blue"], ["square", "circle"]];
            return options;
        }
        double[] Captions(JudgeTrainer t) => t.LossHistory.Select(h => h.Losses["caption"]).ToArray();
        var clean = new JudgeTrainer(mlContext, Options(0, 0));
        using (clean.Fit(JudgeTestRows.Create(mlContext, 64))) { }
        var noisy = new JudgeTrainer(mlContext, Options(0.5, 0.5));
        using (noisy.Fit(JudgeTestRows.Create(mlContext, 64))) { }
        var again = new JudgeTrainer(mlContext, Options(0.5, 0.5));
        using (again.Fit(JudgeTestRows.Create(mlContext, 64))) { }

        Captions(noisy).Should().NotEqual(Captions(clean), "the writer reads noisy instructions and captions");
        Captions(again).Should().Equal(Captions(noisy), "the noise is drawn from the seed and the step");

        var captionsOnly = WriterOptions(edits, steps: 1, learningRate: 1e-2, captionBatchSize: 4);
        captionsOnly.CaptionInstructionColumnName = null;
        captionsOnly.CaptionInstructionDropRate = 0.1;
        var act = () => new JudgeTrainer(mlContext, captionsOnly);
        act.Should().Throw<ArgumentException>().WithMessage("*CaptionInstructionDropRate needs CaptionInstructionColumnName*");
    }

    // A tiny new judge trained on (source image, instruction, edited caption) rows, 4 questions per step beside them.
    private static JudgeTrainer.Options WriterOptions(IDataView edits, int steps, double learningRate, int captionBatchSize) => new()
    {
        Tokenizer = TestVlms.Tokenizer,
        ModelConfig = TestVlms.Config(TestVlms.Tokenizer.Compact!.Count, TestVlms.Tokenizer.ImageTokenId),
        Steps = steps,
        BatchSize = 4,
        LearningRate = learningRate,
        WarmupSteps = 1,
        Threads = 1,
        Seed = 5,
        EmaDecay = 0,
        CaptionRows = edits,
        CaptionImageColumnName = nameof(EditCaptionRow.Image),
        CaptionColumnName = nameof(EditCaptionRow.EditedCaption),
        CaptionInstructionColumnName = nameof(EditCaptionRow.Instruction),
        CaptionBatchSize = captionBatchSize,
    };

    private static RgbImage Image(byte r, byte g, byte b) => RgbImage.Filled(8, 8, r, g, b);

    private sealed class EditCaptionRow
    {
        [ImageType(8, 8)] public MLImage Image { get; set; } = null!;
        public string Instruction { get; set; } = "";
        public string EditedCaption { get; set; } = "";
    }
}
