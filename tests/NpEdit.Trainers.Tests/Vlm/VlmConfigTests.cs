using NpEdit.Trainers.Vlm;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class VlmConfigTests
{
    [Fact]
    public void Json_round_trips_every_field()
    {
        var config = TestVlms.Config() with { VisionFeatureLayer = -2, ImageMean = new[] { 0.1, 0.2, 0.3 } };
        var back = VlmConfig.FromJson(config.ToJson());
        back.ToJson().Should().Be(config.ToJson());
        back.VisionFeatureLayer.Should().Be(-2);
    }

    [Fact]
    public void A_hugging_face_config_json_deserialises_with_unknown_keys_ignored()
    {
        const string json = """
        {
          "architectures": ["LlavaOnevisionForConditionalGeneration"],
          "image_grid_pinpoints": [[384, 384], [384, 768]],
          "image_token_index": 151646,
          "model_type": "llava_onevision",
          "projector_hidden_act": "gelu",
          "text_config": {"hidden_size": 896, "intermediate_size": 4864, "model_type": "qwen2", "num_attention_heads": 14,
            "num_hidden_layers": 24, "num_key_value_heads": 2, "rope_theta": 1000000.0, "tie_word_embeddings": true,
            "vocab_size": 152000, "rms_norm_eps": 1e-06, "max_position_embeddings": 32768},
          "use_image_newline_parameter": true,
          "vision_aspect_ratio": "anyres_max_9",
          "vision_config": {"hidden_size": 1152, "image_size": 384, "intermediate_size": 4304, "model_type": "siglip_vision_model",
            "num_attention_heads": 16, "num_hidden_layers": 26, "patch_size": 14, "vision_use_head": false},
          "vision_feature_layer": -1,
          "vision_feature_select_strategy": "full"
        }
        """;
        var config = VlmConfig.FromJson(json);
        config.ToJson().Should().Be(VlmConfig.LlavaOneVisionQwen2_0_5B.ToJson());
        config.TokensPerImage.Should().Be(27 * 27 + 1);
    }

    [Fact]
    public void Validation_names_every_inconsistency()
    {
        var bad = TestVlms.Config() with
        {
            TextConfig = TestVlms.Config().TextConfig with { NumKeyValueHeads = 3 },
            ImageTokenIndex = 999,
        };
        var act = () => bad.Validate();
        act.Should().Throw<ArgumentException>()
            .WithMessage("*num_key_value_heads 3*").WithMessage("*image_token_index 999*");
    }

    [Fact]
    public void Tokens_per_image_count_pooled_patches_and_the_newline()
    {
        TestVlms.Config(poolStride: 1).TokensPerImage.Should().Be(16 + 1);
        TestVlms.Config(poolStride: 2).TokensPerImage.Should().Be(4 + 1);
        TestVlms.Config(poolStride: 2, newline: false).TokensPerImage.Should().Be(4);
        VlmConfig.Tiny(100, 5).TokensPerImage.Should().Be(16 + 1 + 1, "4x4 pooled, the global maximum and the newline");
    }

    [Fact]
    public void A_conv_stem_needs_one_stride_per_layer_dividing_the_patch_size()
    {
        var vision = TestVlms.Config().VisionConfig with { PatchSize = 4, ConvStemChannels = new[] { 8, 8 }, ConvStemStrides = new[] { 1, 2 } };
        vision.ConvStemStride.Should().Be(2);
        (TestVlms.Config() with { VisionConfig = vision }).Validate();
        var bad = TestVlms.Config() with { VisionConfig = vision with { ConvStemStrides = new[] { 2 } } };
        bad.Invoking(c => c.Validate()).Should().Throw<ArgumentException>().WithMessage("*conv_stem*");
    }
}
