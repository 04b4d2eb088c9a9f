using FluentAssertions;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class GroundingLossTests
{
    private static readonly Lazy<VlmTokenizer> Tokenizer = new(() => ShapesJudge.CreateTokenizer());

    // 12 px, patch 2: 6x6 patches pooled by 2 into the world's 3x3 cells.
    private static LlavaOnevisionModel CellModel(int imageSize = 12)
    {
        var config = TestVlms.Config(Tokenizer.Value.Compact!.Count, Tokenizer.Value.ImageTokenId);
        return TestVlms.Model(config with { VisionConfig = config.VisionConfig with { ImageSize = imageSize } });
    }

    private static readonly Scene Scene = NpEdit.Trainers.Synthetic.Scene.Create(Palette.Gray, new[]
    {
        new SceneObject(ShapeKind.Star, Palette.Blue, SizeKind.Large, Row: 1, Col: 2, JitterX: 0, JitterY: 0),
        new SceneObject(ShapeKind.Circle, Palette.Red, SizeKind.Small, Row: 0, Col: 0, JitterX: 0, JitterY: 0),
    });

    private static Tensor Word(LlavaOnevisionModel model, string word)
    {
        var ids = Tokenizer.Value.Encode(" " + word).Select(i => (long)i).ToArray();
        return model.LanguageModel.Model.EmbedTokens.weight!.index_select(0, torch.tensor(ids)).mean(new long[] { 0 }).detach();
    }

    // Image tokens [1, T, D] whose cell tokens are 10x the sum of the given words' embeddings.
    private static Tensor Tokens(LlavaOnevisionModel model, params (int Cell, string[] Words)[] cells)
    {
        var tokens = torch.zeros(1, model.Config.TokensPerImage, model.Config.TextConfig.HiddenSize);
        foreach (var (cell, words) in cells)
            tokens[0, cell] = words.Select(w => Word(model, w)).Aggregate((a, b) => a.Add(b)).Mul(10);
        return tokens;
    }

    [Fact]
    public void Tokens_that_hold_their_objects_words_score_lower_than_tokens_that_hold_other_words()
    {
        using var scope = NewDisposeScope();
        using var model = CellModel();
        var right = Tokens(model, (5, new[] { "star", "blue", "large" }), (0, new[] { "circle", "red", "small" }));
        var wrong = Tokens(model, (5, new[] { "ring", "pink", "small" }), (0, new[] { "square", "cyan", "large" }));
        double rightLoss = GroundingLoss.Compute(model, Tokenizer.Value, right, new[] { Scene }).item<float>();
        double wrongLoss = GroundingLoss.Compute(model, Tokenizer.Value, wrong, new[] { Scene }).item<float>();
        rightLoss.Should().BeLessThan(wrongLoss);
    }

    [Fact]
    public void Gradients_reach_the_image_tokens_and_the_word_embeddings()
    {
        using var scope = NewDisposeScope();
        using var model = CellModel();
        model.train();
        var features = model.ImageFeatures(torch.rand(1, 3, 12, 12).Mul(2).Sub(1));
        var loss = GroundingLoss.Compute(model, Tokenizer.Value, features, new[] { Scene });
        loss.backward();
        double.IsFinite(loss.item<float>()).Should().BeTrue();
        var embeddingGrad = model.LanguageModel.Model.EmbedTokens.weight!.grad;
        embeddingGrad.Should().NotBeNull();
        embeddingGrad!.abs().sum().item<float>().Should().BeGreaterThan(0);
        model.parameters().Where(p => p.grad is not null).Sum(p => p.grad!.abs().sum().item<float>()).Should().BeGreaterThan(0);
    }

    [Fact]
    public void A_judge_without_one_token_per_cell_is_refused_with_the_grid_it_has()
    {
        using var model = CellModel(imageSize: 8); // 4x4 patches pooled to 2x2
        var features = torch.zeros(1, model.Config.TokensPerImage, model.Config.TextConfig.HiddenSize);
        var act = () => GroundingLoss.Compute(model, Tokenizer.Value, features, new[] { Scene });
        act.Should().Throw<InvalidOperationException>().WithMessage("*3x3*2x2*");
    }
}
