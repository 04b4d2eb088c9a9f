using NpEdit.Trainers.Vlm;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class YesNoScorerTests
{
    [Fact]
    public void Scores_equal_a_plain_forward_at_the_answer_position_for_every_row_of_a_padded_batch()
    {
        using var model = TestVlms.ModelForTokenizer();
        var scorer = new YesNoScorer(model, TestVlms.Tokenizer);
        var tokenizer = scorer.Tokenizer;
        using var scope = NewDisposeScope();
        var a = TestVlms.RandomImage(1);
        var b = TestVlms.RandomImage(2);
        var queries = new[]
        {
            new JudgeQuery("Is there a red circle?", a),
            new JudgeQuery("Are the two images the same?", a, b),
        };
        using var logits = scorer.Score(queries);
        logits.Full.shape.Should().Equal(2, model.Config.TextConfig.VocabSize);

        for (int row = 0; row < queries.Length; row++)
        {
            var q = queries[row];
            var ids = tokenizer.EncodeQuestion(q.Images.Count, q.Question, model.Config.TokensPerImage);
            var input = torch.tensor(ids.Select(i => (long)i).ToArray()).view(1, -1);
            var pixels = VlmImageProcessor.Preprocess(torch.stack(q.Images.Select(i => i.Pixels!).ToArray()), model.Config);
            var hidden = model.Forward(input, torch.ones_like(input), model.ImageFeatures(pixels));
            var plain = model.Logits(hidden[0, -1]);
            logits.Full[row].allclose(plain, rtol: 1e-4, atol: 1e-5).Should().BeTrue($"row {row} must not depend on its padding");
            logits.Yes[row].item<float>().Should().BeApproximately(plain[tokenizer.YesTokenId].item<float>(), 1e-4f);
            logits.No[row].item<float>().Should().BeApproximately(plain[tokenizer.NoTokenId].item<float>(), 1e-4f);
        }
    }

    [Fact]
    public void Gradients_reach_every_pixel_tensor_and_are_finite_while_the_judge_stays_frozen()
    {
        using var model = TestVlms.ModelForTokenizer();
        var scorer = new YesNoScorer(model, TestVlms.Tokenizer);
        using var scope = NewDisposeScope();
        var source = TestVlms.RandomImage(1).requires_grad_(true);
        var edited = TestVlms.RandomImage(2).requires_grad_(true);
        using var logits = scorer.Score(new[] { new JudgeQuery("Are the two images the same?", source, edited) });
        // The NP-Edit loss: -log sigmoid(l_yes - l_no).
        var loss = logits.No.sub(logits.Yes).Softplus().mean();
        loss.backward();
        foreach (var image in new[] { source, edited })
        {
            image.grad.Should().NotBeNull();
            image.grad!.isfinite().all().item<bool>().Should().BeTrue();
            image.grad.abs().sum().item<float>().Should().BeGreaterThan(0f);
        }
        foreach (var p in model.parameters())
        {
            p.requires_grad.Should().BeFalse();
            (p.grad is null).Should().BeTrue();
        }
    }

    [Fact]
    public void Cached_features_give_the_same_answer_as_pixels_and_carry_no_gradient()
    {
        using var model = TestVlms.ModelForTokenizer();
        var scorer = new YesNoScorer(model, TestVlms.Tokenizer);
        using var scope = NewDisposeScope();
        var source = TestVlms.RandomImage(1);
        var edited = TestVlms.RandomImage(2).requires_grad_(true);
        var cached = scorer.EncodeImages(source.unsqueeze(0));
        cached.requires_grad.Should().BeFalse();
        using var fromPixels = scorer.Score(new[] { new JudgeQuery("Are the two images the same?", source, edited) });
        using var fromCache = scorer.Score(new[] { new JudgeQuery("Are the two images the same?", JudgeImage.FromFeatures(cached[0]), edited) });
        fromCache.Full.allclose(fromPixels.Full, rtol: 1e-4, atol: 1e-5).Should().BeTrue();
        fromCache.Yes.sum().backward();
        edited.grad.Should().NotBeNull();
    }

    [Fact]
    public void Probability_of_yes_is_the_sigmoid_of_the_logit_difference()
    {
        using var model = TestVlms.ModelForTokenizer();
        var scorer = new YesNoScorer(model, TestVlms.Tokenizer);
        using var scope = NewDisposeScope();
        var query = new JudgeQuery("Is the square blue?", TestVlms.RandomImage(4));
        var p = scorer.ProbabilityYes(new[] { query }).Single();
        using var logits = scorer.Score(new[] { query });
        p.Should().BeApproximately(1f / (1f + MathF.Exp(-(logits.Yes.item<float>() - logits.No.item<float>()))), 1e-5f);
    }

    [Fact]
    public void Images_of_another_size_are_resized_differentiably()
    {
        using var model = TestVlms.ModelForTokenizer();
        var scorer = new YesNoScorer(model, TestVlms.Tokenizer);
        using var scope = NewDisposeScope();
        var big = TestVlms.RandomImage(5, size: 16).requires_grad_(true);
        using var logits = scorer.Score(new[] { new JudgeQuery("Is the square blue?", big) });
        logits.Yes.sum().backward();
        big.grad!.abs().sum().item<float>().Should().BeGreaterThan(0f);
    }
}
