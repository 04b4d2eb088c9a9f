using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Tests.Models;

public sealed class FlowModelTests
{
    private static readonly int[] Vocabulary = TextTokenizer.BuildVocabulary(new[] { "a large red circle in the top left on a gray background", "make the circle blue" });

    public FlowModelTests() => TorchRuntime.EnsureInitialized();

    private static FlowModel NewModel(long seed = 1)
    {
        torch.manual_seed(seed);
        return new FlowModel(FlowModelPresets.Tiny(Vocabulary));
    }

    /// <summary>A model whose output layers are not zero, so the output depends on everything it should.</summary>
    private static FlowModel Randomised(long seed = 1)
    {
        var model = NewModel(seed);
        using var noGrad = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.Contains("adaLN") || name.Contains("norm_out_modulation") || name.Contains("proj_out")) p.normal_(0, 0.05);
        }
        return model;
    }

    [Fact]
    public void Patchify_round_trips_and_orders_patches_row_major()
    {
        using var x = TensorMath.Arange(0, 2 * 3 * 8 * 8, dtype: ScalarType.Float32).view(2, 3, 8, 8);
        using var tokens = Patchify.ToTokens(x, 4);
        tokens.shape.Should().Equal(2, 4, 48);
        tokens[0, 1, 0].item<float>().Should().Be(x[0, 0, 0, 4].item<float>(), "token 1 is the top-right patch");
        using var back = Patchify.FromTokens(tokens, 4, 3, 2);
        back.eq(x).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Shapes_flow_through_every_module()
    {
        using var model = NewModel();
        var c = model.Config;
        using var text = model.EncodeText(new[] { "make the circle blue", "" });
        text.Features.shape.Should().Equal(2, c.Text.MaxLength, c.Text.Hidden);
        text.Mask.shape.Should().Equal(2, c.Text.MaxLength);
        text.Mask[1].sum().item<long>().Should().Be(1, "the empty prompt keeps its start token");
        using var x = torch.randn(2, 3, c.ImageSize, c.ImageSize);
        using var t = torch.tensor(new[] { 0.3f, 0.9f });
        using var v = model.Velocity(x, t, text);
        v.shape.Should().Equal(2, 3, c.ImageSize, c.ImageSize);
        using var vr = model.Velocity(x, t, text, reference: torch.randn(2, 3, c.ImageSize, c.ImageSize));
        vr.shape.Should().Equal(2, 3, c.ImageSize, c.ImageSize);
    }

    [Fact]
    public void The_hidden_states_come_with_the_same_velocity_and_depend_on_the_blocks_run()
    {
        using var model = Randomised();
        var c = model.Config;
        using var text = model.EncodeText(new[] { "make the circle blue", "" });
        using var x = torch.randn(2, 3, c.ImageSize, c.ImageSize);
        using var t = torch.tensor(new[] { 0.3f, 0.9f });
        using var v = model.Velocity(x, t, text);
        var (v1, h1) = model.VelocityAndHidden(x, t, text, blocksRun: 1);
        var (v2, h2) = model.VelocityAndHidden(x, t, text, blocksRun: 2);
        v1.eq(v).all().item<bool>().Should().BeTrue();
        v2.eq(v).all().item<bool>().Should().BeTrue();
        h1.shape.Should().Equal(2, c.Transformer.TokensPerImage, c.Transformer.Hidden);
        h1.eq(h2).all().item<bool>().Should().BeFalse("the second block changes the tokens");
        var act = () => model.VelocityAndHidden(x, t, text, blocksRun: c.Transformer.Depth + 1);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void A_fresh_model_predicts_zero_velocity()
    {
        using var model = NewModel();
        using var text = model.EncodeText(new[] { "make the circle blue" });
        using var v = model.Velocity(torch.randn(1, 3, 16, 16), torch.tensor(new[] { 0.5f }), text);
        v.abs().max().item<float>().Should().Be(0f, "adaLN-zero and a zero output layer make the initial model the zero field");
    }

    [Fact]
    public void A_clean_predicting_model_returns_the_velocity_of_its_clean_image()
    {
        // The same weights read once as a velocity head and once as a clean-image head: the second model's velocity
        // must be (x_t - head) / max(t, t_min), with and without a reference.
        using var velocityModel = Randomised();
        var config = velocityModel.Config with { Transformer = velocityModel.Config.Transformer with { Prediction = FlowPrediction.Clean } };
        using var cleanModel = new FlowModel(config);
        using (no_grad())
        {
            var source = velocityModel.state_dict();
            foreach (var (key, value) in cleanModel.state_dict()) value.copy_(source[key]);
        }
        using var text = Prompts(velocityModel);
        using var x = torch.randn(3, 3, 16, 16, generator: new torch.Generator(5));
        using var t = torch.tensor(new[] { 0.9f, 0.3f, 0.01f });
        using var reference = torch.randn(3, 3, 16, 16, generator: new torch.Generator(6));
        foreach (var r in new[] { null, reference })
        {
            using var head = velocityModel.Velocity(x, t, text, r);
            using var v = cleanModel.Velocity(x, t, text, r);
            using var expected = x.sub(head).div(torch.tensor(new[] { 0.9f, 0.3f, (float)FlowDiT.CleanPredictionMinTime }).view(-1, 1, 1, 1));
            v.allclose(expected, rtol: 1e-4, atol: 1e-5).Should().BeTrue("the clean prediction becomes a velocity, with t clamped at t_min");
        }

        static EncodedText Prompts(FlowModel m) => m.EncodeText(new[] { "make the circle blue", "a large red circle in the top left on a gray background", "" });
    }

    [Fact]
    public void A_fresh_clean_predicting_model_predicts_a_black_image_and_its_velocity_is_exact()
    {
        torch.manual_seed(1);
        var tiny = FlowModelPresets.Tiny(Vocabulary);
        using var model = new FlowModel(tiny with { Transformer = tiny.Transformer with { Prediction = FlowPrediction.Clean } });
        using var text = model.EncodeText(new[] { "make the circle blue" });
        using var x0 = torch.zeros(1, 3, 16, 16);
        using var noise = torch.randn(1, 3, 16, 16, generator: new torch.Generator(2));
        using var t = torch.tensor(new[] { 0.4f });
        using var noisy = noise.Mul(0.4);
        using var v = model.Velocity(noisy, t, text);
        v.allclose(noise.sub(x0), rtol: 1e-5, atol: 1e-5).Should().BeTrue("x0 = 0 is predicted exactly, so v = eps - x0 exactly");
    }

    [Fact]
    public void The_prediction_is_saved_in_the_config_and_older_configs_predict_the_velocity()
    {
        var tiny = FlowModelPresets.Tiny(Vocabulary);
        var clean = tiny with { Transformer = tiny.Transformer with { Prediction = FlowPrediction.Clean } };
        string json = NpEdit.Transforms.IO.Json.Serialize(clean);
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        node["transformer"]!["prediction"]!.GetValue<string>().Should().Be("clean");
        NpEdit.Transforms.IO.Json.Deserialize<FlowModelConfig>(json, "test").Transformer.Prediction.Should().Be(FlowPrediction.Clean);
        node["transformer"]!.AsObject().Remove("prediction").Should().BeTrue();
        NpEdit.Transforms.IO.Json.Deserialize<FlowModelConfig>(node.ToJsonString(), "test").Transformer.Prediction.Should().Be(FlowPrediction.Velocity);
    }

    [Fact]
    public void The_reference_changes_the_output_only_through_attention()
    {
        using var model = Randomised();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var text = model.EncodeText(new[] { "make the circle blue" });
        var x = torch.randn(1, 3, 16, 16);
        var t = torch.tensor(new[] { 0.6f });
        var reference = torch.randn(1, 3, 16, 16);
        var plain = model.Transformer.Forward(x, t, text.Features, text.Mask, null);
        var withReference = model.Transformer.Forward(x, t, text.Features, text.Mask, reference);
        var hidden = model.Transformer.Forward(x, t, text.Features, text.Mask, reference, hideReferenceFromAttention: true);
        withReference.sub(plain).abs().max().item<float>().Should().BeGreaterThan(1e-3f, "the reference matters");
        hidden.sub(plain).abs().max().item<float>().Should().BeLessThan(1e-5f, "with its keys hidden the reference has no effect at all");
    }

    [Fact]
    public void Reference_tokens_are_modulated_as_clean_and_target_tokens_with_t()
    {
        using var model = Randomised();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var text = model.EncodeText(new[] { "make the circle blue", "make the circle blue" });
        var t = torch.tensor(new[] { 0.25f, 0.75f });
        var seq = model.Transformer.BuildSequence(torch.randn(2, 3, 16, 16), t, text.Features, text.Mask, torch.randn(2, 3, 16, 16));
        var kinds = seq.KindOfToken!;
        long textLength = text.Features.shape[1], perImage = model.Config.Transformer.TokensPerImage;
        kinds.narrow(0, 0, textLength).sum().item<long>().Should().Be(0);
        kinds.narrow(0, textLength, perImage).Eq(1).all().item<bool>().Should().BeTrue();
        kinds.narrow(0, textLength + perImage, perImage).sum().item<long>().Should().Be(0);

        var seqAtZero = model.Transformer.BuildSequence(torch.randn(2, 3, 16, 16), torch.zeros(2), text.Features, text.Mask, torch.randn(2, 3, 16, 16));
        seq.Conditioning.select(1, 1).sub(seqAtZero.Conditioning.select(1, 0)).abs().max().item<float>()
            .Should().BeLessThan(1e-6f, "the reference's conditioning equals the t = 0 conditioning");
        seq.Conditioning.select(1, 0).sub(seq.Conditioning.select(1, 1)).abs().max().item<float>()
            .Should().BeGreaterThan(1e-4f, "target tokens use the current t");
    }

    [Fact]
    public void Reference_and_target_share_spatial_positions_and_differ_in_frame()
    {
        using var model = NewModel();
        using var positions = model.Transformer.Positions(5, withReference: true, torch.CPU);
        long perImage = model.Config.Transformer.TokensPerImage;
        var reference = positions.narrow(0, 5, perImage);
        var target = positions.narrow(0, 5 + perImage, perImage);
        reference.narrow(1, 1, 2).eq(target.narrow(1, 1, 2)).all().item<bool>().Should().BeTrue();
        reference.select(1, 0).Eq(5).all().item<bool>().Should().BeTrue();
        target.select(1, 0).Eq(6).all().item<bool>().Should().BeTrue();
        using var alone = model.Transformer.Positions(5, withReference: false, torch.CPU);
        alone.narrow(0, 5, perImage).eq(target).all().item<bool>().Should().BeTrue("the target sits at the same place with or without a reference");
    }

    [Fact]
    public void Tokenizer_pads_masks_truncates_and_maps_unknown_words()
    {
        var tokenizer = new TextTokenizer(Vocabulary, maxLength: 6);
        var (ids, mask) = tokenizer.Encode("Make the   CIRCLE blue");
        ids[0].Should().Be(TextTokenizer.Bos);
        mask.Count(m => m).Should().Be(5);
        ids[5].Should().Be(TextTokenizer.Pad);
        ids.Take(5).Should().NotContain(TextTokenizer.Unk);
        tokenizer.Encode("make the zebra blue").Ids.Should().Contain(TextTokenizer.Unk);
        tokenizer.Encode("a large red circle in the top left on a gray background").Mask.Should().AllBeEquivalentTo(true, "long text is truncated to the fixed length");
    }

    [Fact]
    public void Clone_copies_weights_and_freeze_stops_parameter_gradients_but_not_input_gradients()
    {
        using var model = Randomised();
        using var clone = model.Clone().Freeze();
        foreach (var (key, value) in model.state_dict()) clone.state_dict()[key].eq(value).all().item<bool>().Should().BeTrue(key);
        using var x = torch.randn(1, 3, 16, 16).requires_grad_(true);
        using var text = clone.EncodeText(new[] { "make the circle blue" });
        clone.Velocity(x, torch.tensor(new[] { 0.5f }), text).sum().backward();
        x.grad.Should().NotBeNull();
        clone.parameters().All(p => p.grad is null).Should().BeTrue();
    }
}
