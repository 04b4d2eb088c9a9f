using System.Text.Json.Serialization;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// The SigLIP vision tower's shape, spelled like Hugging Face's <c>SiglipVisionConfig</c> so a real
/// <c>vision_config</c> block deserialises into it unchanged.
/// </summary>
public sealed record VisionTowerConfig
{
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; }
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; }
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; }
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; }
    [JsonPropertyName("num_channels")] public int NumChannels { get; init; } = 3;
    [JsonPropertyName("image_size")] public int ImageSize { get; init; }
    [JsonPropertyName("patch_size")] public int PatchSize { get; init; }
    /// <summary>
    /// Ours: output channels of 3x3 convolutions (each followed by GELU) run before the patch embedding, which then
    /// patchifies their output; null is SigLIP's plain patchify stem. Why: a ViT trained from scratch learns the
    /// world's small shapes several times slower than a CNN because a linear patchify stem sees each object at 16
    /// sub-patch offsets; an early-convolution stem (Xiao et al. 2021, "Early convolutions help transformers see
    /// better") gives it the locality it lacks. The real checkpoints' configs leave it null, so their keys are unchanged.
    /// </summary>
    [JsonPropertyName("conv_stem_channels")] public int[]? ConvStemChannels { get; init; }
    /// <summary>Ours: stride (1 or 2) of each stem convolution; their product must divide <see cref="PatchSize"/>.</summary>
    [JsonPropertyName("conv_stem_strides")] public int[]? ConvStemStrides { get; init; }
    [JsonPropertyName("layer_norm_eps")] public double LayerNormEps { get; init; } = 1e-6;
    /// <summary>Only <c>gelu_pytorch_tanh</c> (SigLIP's) and <c>gelu</c> are supported.</summary>
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "gelu_pytorch_tanh";

    /// <summary>Patches per side; a remainder of pixels smaller than a patch is ignored, as a strided convolution does.</summary>
    [JsonIgnore] public int PatchesPerSide => ImageSize / PatchSize;

    /// <summary>Total downsampling of the conv stem (1 without one).</summary>
    [JsonIgnore] public int ConvStemStride => ConvStemStrides?.Aggregate(1, (a, b) => a * b) ?? 1;
    [JsonIgnore] public int NumPatches => PatchesPerSide * PatchesPerSide;
    [JsonIgnore] public int HeadDim => HiddenSize / NumAttentionHeads;

    internal IEnumerable<string> Problems()
    {
        if (HiddenSize <= 0 || NumHiddenLayers <= 0 || NumAttentionHeads <= 0 || IntermediateSize <= 0)
            yield return "vision_config sizes must be positive";
        else if (HiddenSize % NumAttentionHeads != 0)
            yield return $"vision_config.hidden_size {HiddenSize} is not divisible by num_attention_heads {NumAttentionHeads}";
        // Not necessarily a multiple: the patch convolution drops the remainder (SigLIP so400m: 384 px, patch 14, 27x27).
        if (PatchSize <= 0 || ImageSize < PatchSize)
            yield return $"vision_config.image_size {ImageSize} must be at least patch_size {PatchSize} > 0";
        if ((ConvStemChannels is null) != (ConvStemStrides is null) || (ConvStemChannels is not null && ConvStemChannels.Length != ConvStemStrides!.Length))
            yield return "vision_config.conv_stem_channels and conv_stem_strides must be given together, one stride per channel count";
        else if (ConvStemChannels is not null && (ConvStemChannels.Any(c => c <= 0) || ConvStemStrides!.Any(st => st is not (1 or 2)) || PatchSize % ConvStemStride != 0))
            yield return $"vision_config conv stem: channels must be positive, strides 1 or 2, and their product must divide patch_size {PatchSize}";
        if (HiddenAct is not ("gelu_pytorch_tanh" or "gelu"))
            yield return $"vision_config.hidden_act '{HiddenAct}' is not supported (gelu_pytorch_tanh, gelu)";
    }
}
