using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// The default judge of the shapes world: its tokenizer (GPT-2 narrowed to the world's language) and its
/// architecture (<see cref="VlmConfig.Tiny"/>). The shipped judge in <c>models/shapes-judge/</c> was made from these.
/// </summary>
public static class ShapesJudge
{
    /// <summary>Where the shipped judge lives, relative to the repository root.</summary>
    public const string DefaultFolder = "models/shapes-judge";

    /// <summary>The shapes judge asks the question before showing the images (see <see cref="ImagePosition.AfterText"/>).</summary>
    public const ImagePosition DefaultImagePosition = ImagePosition.AfterText;

    /// <summary>Questions per split sampled to find the GPT-2 tokens the world's questions use (instructions included).</summary>
    public const int CorpusQuestionsPerSplit = 4000;

    /// <summary>
    /// GPT-2 with the chat tokens, narrowed to a compact vocabulary covering every world word (sentence-initial and
    /// after a space) and the tokens of sampled judge questions and captions of both splits, so held-out phrasings are spelled
    /// with known tokens too (whether the judge understands them is what evaluation measures). Deterministic.
    /// </summary>
    public static VlmTokenizer CreateTokenizer(ImagePosition imagePosition = DefaultImagePosition)
    {
        var gpt2 = VlmTokenizer.Gpt2Base();
        var corpus = new List<string>();
        foreach (var word in WorldVocabulary.Words)
        {
            corpus.Add(word);
            corpus.Add(" " + word);
        }
        foreach (var split in new[] { WorldSplit.Train, WorldSplit.Eval })
        {
            for (int i = 0; i < CorpusQuestionsPerSplit; i++)
            {
                corpus.Add(WorldRows.Judge(seed: 7919, i, split).Question);
                corpus.Add(WorldRows.Caption(seed: 7919, i, split).Caption);
            }
        }
        foreach (var position in Enum.GetValues<ImagePosition>())
        {
            corpus.Add(ChatTemplate.UserTurn(2, CaptionLoss.Prompt, system: "system", position)); // the template's own words
        }
        var specials = VlmTokenizer.Gpt2AddedTokens.Keys.Concat(new[] { "Yes", "No" });
        return new VlmTokenizer(gpt2, "gpt2", CompactVocabulary.Build(gpt2, corpus, specials), imagePosition: imagePosition);
    }

    /// <summary>The easy single-image kinds a judge starts on (see <see cref="JudgeTrainer.Options.CurriculumKinds"/>).</summary>
    public static string[] CurriculumKinds { get; } = { QuestionKinds.Background, QuestionKinds.Presence, QuestionKinds.Color };

    /// <summary>
    /// The tiny config with one image token per world cell (images resized to 36 px, 9x9 patches pooled 3x3, no
    /// global token): the staged scene-token recipe that trains the shipped judge aligns each cell's token to its cell.
    /// </summary>
    public static VlmConfig CreateConfig(VlmTokenizer tokenizer)
    {
        var tiny = VlmConfig.Tiny(tokenizer.Compact?.Count ?? throw new ArgumentException("The shapes judge uses a compact vocabulary.", nameof(tokenizer)), tokenizer.ImageTokenId);
        return tiny with { ImagePoolStride = 3, ImageGlobalMaxToken = false, VisionConfig = tiny.VisionConfig with { ImageSize = 36 } };
    }

    /// <summary>The shipped judge folder: <paramref name="folder"/> if given, else the shipped judge (<see cref="ShippedModels"/> says where it is looked for).</summary>
    public static string ResolveFolder(string? folder = null) => folder ?? ShippedModels.Find("shapes-judge", "--judge");
}
