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
    /// <summary>Ours: the stride between patches when smaller than <see cref="PatchSize"/> (overlapping patches, padded
    /// by half the overlap so the grid stays image_size / stride per side). Null is SigLIP's non-overlapping grid.
    /// Why: a tiny tower trained from scratch learns small shapes far faster when some patch sees a whole object.</summary>
    [JsonPropertyName("patch_stride")] public int? PatchStride { get; init; }
    [JsonPropertyName("layer_norm_eps")] public double LayerNormEps { get; init; } = 1e-6;
    /// <summary>Only <c>gelu_pytorch_tanh</c> (SigLIP's) and <c>gelu</c> are supported.</summary>
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "gelu_pytorch_tanh";

    /// <summary>Patches per side; a remainder of pixels smaller than a patch is ignored, as a strided convolution does.</summary>
    [JsonIgnore] public int PatchesPerSide => PatchStride is int stride ? ImageSize / stride : ImageSize / PatchSize;

    /// <summary>Zero padding on each side of the image for overlapping patches.</summary>
    [JsonIgnore] public int PatchPadding => PatchStride is int stride ? (PatchSize - stride) / 2 : 0;
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
        if (PatchStride is int st && (st <= 0 || st > PatchSize || (PatchSize - st) % 2 != 0 || ImageSize % st != 0))
            yield return $"vision_config.patch_stride {st} must divide image_size, be at most patch_size {PatchSize}, and differ from it by an even number";
        if (HiddenAct is not ("gelu_pytorch_tanh" or "gelu"))
            yield return $"vision_config.hidden_act '{HiddenAct}' is not supported (gelu_pytorch_tanh, gelu)";
    }
}
