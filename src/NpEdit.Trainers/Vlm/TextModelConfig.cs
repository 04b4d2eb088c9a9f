using System.Text.Json.Serialization;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// The Qwen2 decoder's shape, spelled like Hugging Face's <c>Qwen2Config</c> so a real <c>text_config</c>
/// block deserialises into it unchanged.
/// </summary>
public sealed record TextModelConfig
{
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; }
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; }
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; }
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; }
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; }
    [JsonPropertyName("num_key_value_heads")] public int NumKeyValueHeads { get; init; }
    [JsonPropertyName("rms_norm_eps")] public double RmsNormEps { get; init; } = 1e-6;
    [JsonPropertyName("rope_theta")] public double RopeTheta { get; init; } = 1_000_000.0;
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 32768;
    /// <summary>When true the output head reuses <c>embed_tokens.weight</c> and the checkpoint has no <c>lm_head.weight</c>.</summary>
    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; init; }
    /// <summary>Only <c>silu</c> (SwiGLU) is supported.</summary>
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "silu";

    [JsonIgnore] public int HeadDim => HiddenSize / NumAttentionHeads;

    internal IEnumerable<string> Problems()
    {
        if (VocabSize <= 0 || HiddenSize <= 0 || NumHiddenLayers <= 0 || NumAttentionHeads <= 0 || NumKeyValueHeads <= 0 || IntermediateSize <= 0)
            yield return "text_config sizes must be positive";
        else
        {
            if (HiddenSize % NumAttentionHeads != 0)
                yield return $"text_config.hidden_size {HiddenSize} is not divisible by num_attention_heads {NumAttentionHeads}";
            else if (HeadDim % 2 != 0)
                yield return $"text_config head dimension {HeadDim} must be even for rotary embeddings";
            if (NumAttentionHeads % NumKeyValueHeads != 0)
                yield return $"text_config.num_attention_heads {NumAttentionHeads} is not a multiple of num_key_value_heads {NumKeyValueHeads}";
        }
        if (HiddenAct != "silu")
            yield return $"text_config.hidden_act '{HiddenAct}' is not supported (silu)";
    }
}
