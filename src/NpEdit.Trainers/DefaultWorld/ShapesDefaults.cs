using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms.Models;

namespace NpEdit.Trainers.DefaultWorld;

/// <summary>
/// The defaults of the self-contained world: the text vocabulary its models embed (every word the world's captions
/// and instructions use, in both splits, so held-out phrasings only recombine known words) and the prior's shape.
/// </summary>
public static class ShapesDefaults
{
    private static readonly Lazy<string[]> Corpus = new(BuildCorpus);
    private static readonly Lazy<int[]> Gpt2Ids = new(() => TextTokenizer.BuildVocabulary(Corpus.Value));

    /// <summary>Captions and instructions sampled from both splits (deterministic).</summary>
    public static IReadOnlyList<string> TextCorpus => Corpus.Value;

    /// <summary>The GPT-2 ids of <see cref="TextCorpus"/>: the compact vocabulary of the prior and editor.</summary>
    public static int[] Vocabulary => Gpt2Ids.Value;

    /// <summary>Longest text of the corpus in tokens (including the start token).</summary>
    public static int LongestText(TextTokenizer tokenizer) => Corpus.Value.Max(tokenizer.CountTokens);

    /// <summary>The shipped prior's architecture.</summary>
    public static FlowModelConfig PriorConfig()
    {
        var config = FlowModelPresets.Shapes32(Vocabulary);
        return config with { Text = config.Text with { MaxLength = 36 } };
    }

    private static string[] BuildCorpus()
    {
        var texts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var split in new[] { WorldSplit.Train, WorldSplit.Eval })
        {
            for (int i = 0; i < 6000; i++)
            {
                var edit = WorldRows.Edit(seed: 424242, i, split);
                texts.Add(edit.Instruction);
                texts.Add(edit.SourceCaption);
                texts.Add(edit.EditedCaption);
                texts.Add(WorldRows.Caption(seed: 424242, i, split).Caption);
            }
        }
        texts.Add("do nothing.");
        return texts.OrderBy(t => t, StringComparer.Ordinal).ToArray();
    }
}
