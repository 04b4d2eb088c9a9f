using NpEdit.Transforms.Imaging;
using NpEdit.Trainers.Vlm;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

[Collection(DeterminismCollection.Name)]
public sealed class CaptionBeamSearchTests
{
    private const int A = 0, B = 1, C = 2, End = 3;

    // Greedy takes A (0.6) and then C (0.55): 0.33 in all; B (0.4) then the end (0.9) is the better caption, 0.36.
    private static float[] Next(IReadOnlyList<int> written) => written switch
    {
        [] => Probabilities(0.6, 0.4, 0.0, 0.0),
        [A] => Probabilities(0.15, 0.15, 0.55, 0.15),
        [B] => Probabilities(0.05, 0.025, 0.025, 0.9),
        _ => Probabilities(0.0, 0.0, 0.0, 1.0),
    };

    private static float[] Probabilities(params double[] p) => p.Select(x => (float)Math.Log(Math.Max(x, 1e-9))).ToArray();

    private static float[][] Model(IReadOnlyList<CaptionBeamSearch.Hypothesis> hypotheses) => hypotheses.Select(h => Next(h.Written)).ToArray();

    [Fact]
    public void Width_one_is_greedy_and_a_wider_beam_finds_the_caption_with_the_higher_total_probability()
    {
        CaptionBeamSearch.Run(1, beamWidth: 1, maxTokens: 8, End, Model)[0].Should().Equal(A, C);
        CaptionBeamSearch.Run(1, beamWidth: 2, maxTokens: 8, End, Model)[0].Should().Equal(B);
    }

    [Fact]
    public void Items_are_searched_independently_and_an_unfinished_caption_is_returned_as_it_stands()
    {
        var both = CaptionBeamSearch.Run(2, beamWidth: 2, maxTokens: 8, End, Model);
        both[0].Should().Equal(B);
        both[1].Should().Equal(B);
        CaptionBeamSearch.Run(1, beamWidth: 2, maxTokens: 1, End, Model)[0].Should().Equal(A);
    }

    [Fact]
    public void A_vlm_writer_with_a_beam_writes_captions_at_least_as_probable_as_greedy_decoding()
    {
        using var model = TestVlms.ModelForTokenizer(seed: 4);
        var tokenizer = TestVlms.Tokenizer;
        var images = new[] { RgbImage.Filled(8, 8, 20, 40, 230), RgbImage.Filled(8, 8, 230, 30, 20), RgbImage.Filled(8, 8, 30, 200, 30) };
        var instructions = new[] { "make the square red", "make it a much larger blue circle", "remove the ring" };
        var greedy = new EditedCaptionWriter(model, tokenizer, maxTokens: 6).WriteTokens(images, instructions);
        var beam = new EditedCaptionWriter(model, tokenizer, maxTokens: 6, beamWidth: 3).WriteTokens(images, instructions);
        for (int row = 0; row < images.Length; row++)
        {
            LogProbability(model, images[row], instructions[row], beam[row], 6)
                .Should().BeGreaterThanOrEqualTo(LogProbability(model, images[row], instructions[row], greedy[row], 6) - 1e-4, $"row {row}");
        }
    }

    // The summed log-probability of a caption and then its end (unless it ran to maxTokens), by unpadded forwards.
    private static double LogProbability(LlavaOnevisionModel model, RgbImage image, string instruction, IReadOnlyList<int> caption, int maxTokens)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var tokenizer = TestVlms.Tokenizer;
        var features = model.ImageFeatures(VlmImageProcessor.Preprocess(ImageTensors.ToBatch(new[] { image }), model.Config));
        var ids = tokenizer.EncodeQuestion(1, EditedCaptionWriter.Prompt(instruction), model.Config.TokensPerImage).ToList();
        var written = caption.ToList();
        if (written.Count < maxTokens) written.Add(tokenizer.SingleTokenId(ChatTemplate.ImEnd));
        double total = 0;
        foreach (int token in written)
        {
            var input = torch.tensor(ids.Select(i => (long)i).ToArray()).view(1, -1);
            var logProbs = torch.nn.functional.log_softmax(model.Logits(model.Forward(input, torch.ones_like(input), features))[0, -1], -1);
            total += logProbs[token].item<float>();
            ids.Add(token);
        }
        return total;
    }
}
