using NpEdit.Trainers.Vlm;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class LlavaOnevisionModelTests
{
    [Fact]
    public void Image_features_have_one_row_per_pooled_patch_plus_the_newline()
    {
        using var model = TestVlms.Model(TestVlms.Config());
        using var scope = NewDisposeScope();
        var pixels = torch.stack(new[] { TestVlms.RandomImage(1), TestVlms.RandomImage(2) });
        var features = model.ImageFeatures(VlmImageProcessor.Preprocess(pixels, model.Config));
        features.shape.Should().Equal(2, 5, 16);
        // The last row of every image is the learned newline vector itself.
        features[0, 4].allclose(features[1, 4]).Should().BeTrue();
    }

    [Fact]
    public void Stride_two_pooling_is_a_two_by_two_average_of_projected_patches()
    {
        using var pooled = TestVlms.Model(TestVlms.Config(poolStride: 2, newline: false));
        using var full = TestVlms.Model(TestVlms.Config(poolStride: 1, newline: false));
        full.load_state_dict(pooled.state_dict());
        using var scope = NewDisposeScope();
        var pixels = VlmImageProcessor.Preprocess(TestVlms.RandomImage(3).unsqueeze(0), pooled.Config);
        var a = pooled.ImageFeatures(pixels);                     // [1, 4, D]
        var b = full.ImageFeatures(pixels).view(1, 4, 4, 16);       // [1, 4x4 grid, D]
        var topLeft = b[0, TensorIndex.Slice(0, 2), TensorIndex.Slice(0, 2)].mean(new long[] { 0, 1 });
        a[0, 0].allclose(topLeft, rtol: 1e-4, atol: 1e-5).Should().BeTrue();
    }

    [Fact]
    public void Forward_gives_hidden_states_per_position_and_rejects_a_feature_count_mismatch()
    {
        using var model = TestVlms.Model(TestVlms.Config());
        using var scope = NewDisposeScope();
        var ids = torch.tensor(new long[] { 1, 3, 3, 3, 3, 3, 2 }).view(1, 7); // one image: 5 image tokens
        var mask = torch.ones(1, 7, dtype: ScalarType.Int64);
        var features = model.ImageFeatures(VlmImageProcessor.Preprocess(TestVlms.RandomImage(1).unsqueeze(0), model.Config));
        model.Forward(ids, mask, features).shape.Should().Equal(1, 7, 16);
        var act = () => model.Forward(ids, mask, null);
        act.Should().Throw<ArgumentException>().WithMessage("*5 image-token positions but 0*");
    }

    [Fact]
    public void Image_features_land_in_the_image_token_positions()
    {
        using var model = TestVlms.Model(TestVlms.Config());
        using var scope = NewDisposeScope();
        var ids = torch.tensor(new long[] { 1, 3, 3, 3, 3, 3, 2 }).view(1, 7);
        var mask = torch.ones(1, 7, dtype: ScalarType.Int64);
        var f1 = model.ImageFeatures(VlmImageProcessor.Preprocess(TestVlms.RandomImage(1).unsqueeze(0), model.Config));
        var f2 = model.ImageFeatures(VlmImageProcessor.Preprocess(TestVlms.RandomImage(2).unsqueeze(0), model.Config));
        var h1 = model.Forward(ids, mask, f1);
        var h2 = model.Forward(ids, mask, f2);
        // Causal: the text token before the image cannot see it; every position after it does.
        h1[0, 0].allclose(h2[0, 0]).Should().BeTrue();
        h1[0, 6].allclose(h2[0, 6]).Should().BeFalse();
    }

    [Fact]
    public void Left_padding_does_not_change_a_row()
    {
        using var model = TestVlms.Model(TestVlms.Config());
        using var scope = NewDisposeScope();
        var plain = model.Forward(torch.tensor(new long[] { 5, 6, 7 }).view(1, 3), torch.ones(1, 3, dtype: ScalarType.Int64), null);
        var padded = model.Forward(torch.tensor(new long[] { 0, 0, 5, 6, 7 }).view(1, 5),
            torch.tensor(new long[] { 0, 0, 1, 1, 1 }).view(1, 5), null);
        padded[0, TensorIndex.Slice(2, 5)].allclose(plain[0], rtol: 1e-4, atol: 1e-5).Should().BeTrue();
        padded.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Untied_models_have_an_lm_head_and_tied_models_do_not()
    {
        using var tied = TestVlms.Model(TestVlms.Config(tied: true));
        using var untied = TestVlms.Model(TestVlms.Config(tied: false));
        tied.state_dict().Keys.Should().NotContain("language_model.lm_head.weight");
        untied.state_dict().Keys.Should().Contain("language_model.lm_head.weight");
        using var scope = NewDisposeScope();
        var hidden = torch.randn(2, 16);
        tied.Logits(hidden).allclose(hidden.matmul(tied.state_dict()["language_model.model.embed_tokens.weight"].t())).Should().BeTrue();
    }

    [Fact]
    public void A_conv_stem_runs_before_a_patch_embedding_over_its_output_and_keeps_the_grid()
    {
        var config = TestVlms.Config(poolStride: 1) with
        {
            VisionConfig = TestVlms.Config().VisionConfig with { PatchSize = 2, ConvStemChannels = new[] { 6 }, ConvStemStrides = new[] { 2 } },
        };
        using var model = TestVlms.Model(config);
        var state = model.state_dict();
        state["vision_tower.vision_model.embeddings.conv_stem.0.weight"].shape.Should().Equal(6, 3, 3, 3);
        state["vision_tower.vision_model.embeddings.patch_embedding.weight"].shape.Should().Equal(16, 6, 1, 1);
        using var scope = NewDisposeScope();
        var features = model.ImageFeatures(VlmImageProcessor.Preprocess(TestVlms.RandomImage(1).unsqueeze(0), model.Config));
        features.shape.Should().Equal(1, 16 + 1, 16);
    }

    [Fact]
    public void Post_layernorm_features_are_the_normalised_selected_layer()
    {
        using var raw = TestVlms.Model(TestVlms.Config(poolStride: 1, newline: false));
        using var normed = TestVlms.Model(TestVlms.Config(poolStride: 1, newline: false) with { VisionFeaturePostLayerNorm = true });
        normed.load_state_dict(raw.state_dict());
        using var scope = NewDisposeScope();
        var pixels = VlmImageProcessor.Preprocess(TestVlms.RandomImage(2).unsqueeze(0), raw.Config);
        var a = normed.ImageFeatures(pixels);
        var tower = raw.named_modules().Select(m => m.module).OfType<SiglipVisionTransformer>().Single();
        var expected = raw.named_modules().Select(m => m.module).OfType<LlavaMultiModalProjector>().Single()
            .call(tower.PostLayerNorm(tower.HiddenState(pixels, -1)));
        a.allclose(expected, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
    }

    [Fact]
    public void The_global_max_token_follows_the_pooled_grid_and_is_the_channel_maximum_of_the_patches()
    {
        using var plain = TestVlms.Model(TestVlms.Config(poolStride: 1, newline: false));
        using var withMax = TestVlms.Model(TestVlms.Config(poolStride: 1, newline: false) with { ImageGlobalMaxToken = true });
        withMax.load_state_dict(plain.state_dict());
        withMax.Config.TokensPerImage.Should().Be(16 + 1);
        using var scope = NewDisposeScope();
        var pixels = VlmImageProcessor.Preprocess(TestVlms.RandomImage(4).unsqueeze(0), plain.Config);
        var patches = plain.ImageFeatures(pixels);     // [1, 16, D]
        var features = withMax.ImageFeatures(pixels);  // [1, 17, D]
        features[0, 16].allclose(patches[0].amax(new long[] { 0 })).Should().BeTrue();
        features[0, TensorIndex.Slice(0, 16)].allclose(patches[0]).Should().BeTrue();
    }
}
