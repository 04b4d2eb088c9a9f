using System.Text.Json;
using System.Text.Json.Serialization;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// A LLaVA-OneVision-style vision-language model as plain data. Property names in JSON follow Hugging Face's
/// <c>LlavaOnevisionConfig</c>, so the <c>config.json</c> of a real checkpoint deserialises into it (keys we do
/// not model, such as <c>image_grid_pinpoints</c>, are ignored). Fields marked "ours" have no HF counterpart.
/// </summary>
public sealed record VlmConfig
{
    [JsonPropertyName("vision_config")] public VisionTowerConfig VisionConfig { get; init; } = new();
    [JsonPropertyName("text_config")] public TextModelConfig TextConfig { get; init; } = new();
    /// <summary>Token id of <c>&lt;image&gt;</c>; each occurrence in a prompt stands for one image's feature tokens.</summary>
    [JsonPropertyName("image_token_index")] public int ImageTokenIndex { get; init; }
    [JsonPropertyName("projector_hidden_act")] public string ProjectorHiddenAct { get; init; } = "gelu";
    /// <summary>Which encoder layer's output feeds the projector (Python-style index into embeddings + layers; -1 = last).
    /// As in HF, this is the raw layer output: <c>post_layernorm</c> is not applied to it.</summary>
    [JsonPropertyName("vision_feature_layer")] public int VisionFeatureLayer { get; init; } = -1;
    /// <summary>Ours: apply the tower's <c>post_layernorm</c> to the selected layer before the projector (HF feeds the raw
    /// layer output). Why: from-scratch features start orders of magnitude smaller than token embeddings, and a
    /// decoder whose image tokens are drowned by the first attention layer takes very long to learn to read them;
    /// normalised features arrive at the scale of the text.</summary>
    [JsonPropertyName("vision_feature_post_layernorm")] public bool VisionFeaturePostLayerNorm { get; init; }
    /// <summary><c>full</c> keeps every patch token (SigLIP has no CLS token to drop).</summary>
    [JsonPropertyName("vision_feature_select_strategy")] public string VisionFeatureSelectStrategy { get; init; } = "full";
    /// <summary>When true a learned <c>image_newline</c> vector follows each image's tokens (LLaVA-OneVision's single-crop layout).</summary>
    [JsonPropertyName("use_image_newline_parameter")] public bool UseImageNewlineParameter { get; init; } = true;
    [JsonPropertyName("multimodal_projector_bias")] public bool MultimodalProjectorBias { get; init; } = true;
    /// <summary>Ours: pooling of the projected patch grid by this stride (2: bilinear, as LLaVA-OneVision pools video
    /// frames; more: area average); 1 keeps every patch. Parameter-free, so checkpoints are unaffected. Why: fewer
    /// image tokens per image is less for a decoder trained from scratch to search through, and less compute.</summary>
    [JsonPropertyName("image_pool_stride")] public int ImagePoolStride { get; init; } = 1;
    /// <summary>Ours: one extra token per image, the channel-wise maximum of its projected patch features, placed after
    /// the pooled grid. Parameter-free. Why: in a decoder trained from scratch a small object is a faint part of one
    /// pooled token, and attention takes very long to find it; the maximum makes "what is in the image" one token away.</summary>
    [JsonPropertyName("image_global_max_token")] public bool ImageGlobalMaxToken { get; init; }
    /// <summary>Processor normalisation on [0,1] pixels (SigLIP: 0.5 / 0.5, i.e. pixels in [-1, 1]).</summary>
    [JsonPropertyName("image_mean")] public double[] ImageMean { get; init; } = { 0.5, 0.5, 0.5 };
    [JsonPropertyName("image_std")] public double[] ImageStd { get; init; } = { 0.5, 0.5, 0.5 };

    /// <summary>Patch tokens per image after pooling (without the newline token).</summary>
    [JsonIgnore] public int PooledPatchesPerSide => (VisionConfig.PatchesPerSide + ImagePoolStride - 1) / ImagePoolStride;

    /// <summary>How many prompt positions one <c>&lt;image&gt;</c> placeholder expands to.</summary>
    [JsonIgnore] public int TokensPerImage =>
        PooledPatchesPerSide * PooledPatchesPerSide + (ImageGlobalMaxToken ? 1 : 0) + (UseImageNewlineParameter ? 1 : 0);

    /// <summary>
    /// The tiny judge for the default 32x32 world; vocabulary size and image token come from its tokenizer. Sized for
    /// CPU training from scratch: a 3x3 conv stem (32, 64 channels) under a patch-4 grid of 8x8 tokens, three
    /// 96-wide tower blocks, 4x4 pooled tokens (finer than the world's 3x3 cells), the global maximum token and the
    /// newline per image, and three 128-wide decoder blocks with 8 query and 4 key/value heads.
    /// </summary>
    public static VlmConfig Tiny(int vocabSize, int imageTokenIndex) => new()
    {
        VisionConfig = new VisionTowerConfig
        {
            HiddenSize = 96,
            IntermediateSize = 384,
            NumHiddenLayers = 3,
            NumAttentionHeads = 4,
            ImageSize = 32,
            PatchSize = 4,
            ConvStemChannels = new[] { 32, 64 },
            ConvStemStrides = new[] { 1, 2 },
        },
        TextConfig = new TextModelConfig
        {
            VocabSize = vocabSize,
            HiddenSize = 128,
            IntermediateSize = 384,
            NumHiddenLayers = 3,
            NumAttentionHeads = 8,
            NumKeyValueHeads = 4,
            RopeTheta = 10_000.0,
            MaxPositionEmbeddings = 512,
            TieWordEmbeddings = true,
        },
        ImageTokenIndex = imageTokenIndex,
        ImagePoolStride = 2,
        ImageGlobalMaxToken = true,
        VisionFeaturePostLayerNorm = true,
    };

    /// <summary>
    /// llava-hf/llava-onevision-qwen2-0.5b-ov-hf: SigLIP so400m with its last layer dropped (26 layers, 384 px,
    /// patch 14) and Qwen2-0.5B-Instruct with the vocabulary padded to 152000 for <c>&lt;image&gt;</c>/<c>&lt;video&gt;</c>.
    /// </summary>
    public static VlmConfig LlavaOneVisionQwen2_0_5B { get; } = new()
    {
        VisionConfig = new VisionTowerConfig
        {
            HiddenSize = 1152,
            IntermediateSize = 4304,
            NumHiddenLayers = 26,
            NumAttentionHeads = 16,
            ImageSize = 384,
            PatchSize = 14,
        },
        TextConfig = new TextModelConfig
        {
            VocabSize = 152000,
            HiddenSize = 896,
            IntermediateSize = 4864,
            NumHiddenLayers = 24,
            NumAttentionHeads = 14,
            NumKeyValueHeads = 2,
            RmsNormEps = 1e-6,
            RopeTheta = 1_000_000.0,
            MaxPositionEmbeddings = 32768,
            TieWordEmbeddings = true,
        },
        ImageTokenIndex = 151646,
    };

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses and validates; unknown keys are ignored so a Hugging Face config.json is accepted.</summary>
    public static VlmConfig FromJson(string json)
    {
        var config = JsonSerializer.Deserialize<VlmConfig>(json, JsonOptions)
            ?? throw new JsonException("The VLM config JSON is empty.");
        config.Validate();
        return config;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every inconsistency.</summary>
    public void Validate()
    {
        var problems = VisionConfig.Problems().Concat(TextConfig.Problems()).ToList();
        if (ImageTokenIndex < 0 || ImageTokenIndex >= TextConfig.VocabSize)
            problems.Add($"image_token_index {ImageTokenIndex} is outside the vocabulary [0, {TextConfig.VocabSize})");
        if (ProjectorHiddenAct != "gelu") problems.Add($"projector_hidden_act '{ProjectorHiddenAct}' is not supported (gelu)");
        if (VisionFeatureSelectStrategy != "full") problems.Add($"vision_feature_select_strategy '{VisionFeatureSelectStrategy}' is not supported (full)");
        int layers = VisionConfig.NumHiddenLayers;
        if (VisionFeatureLayer > layers || VisionFeatureLayer < -(layers + 1))
            problems.Add($"vision_feature_layer {VisionFeatureLayer} is outside the {layers + 1} hidden states");
        if (ImagePoolStride < 1) problems.Add($"image_pool_stride must be >= 1, got {ImagePoolStride}");
        if (ImageMean.Length != VisionConfig.NumChannels || ImageStd.Length != VisionConfig.NumChannels || ImageStd.Any(s => s <= 0))
            problems.Add("image_mean and image_std need one value per channel, std > 0");
        if (problems.Count > 0) throw new ArgumentException("Invalid VLM config: " + string.Join("; ", problems) + ".");
    }
}
