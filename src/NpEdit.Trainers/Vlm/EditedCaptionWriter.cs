using NpEdit.Transforms.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// A VLM that reads a source image and an edit instruction and writes the caption of the edited image, by greedy
/// decoding. Why: an editor told the caption of the scene to make edits far more often than one told the
/// instruction (docs/editor.md), but at inference a user gives only the image and the instruction. The writer
/// learns from the same rows NP-Edit trains on (source image, instruction, edited caption), never from an edited
/// image, so the pair-free promise holds. It is trained with <see cref="CaptionLoss"/> on
/// <see cref="Prompt"/>, by <see cref="JudgeTrainer"/> with <see cref="JudgeTrainer.Options.CaptionInstructionColumnName"/> set.
/// </summary>
public sealed class EditedCaptionWriter
{
    private readonly int _imEnd;

    public EditedCaptionWriter(LlavaOnevisionModel model, VlmTokenizer tokenizer, string? systemPrompt = null, int maxTokens = 64, int batchSize = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Model = model;
        Tokenizer = tokenizer;
        SystemPrompt = systemPrompt;
        MaxTokens = maxTokens;
        BatchSize = batchSize;
        _imEnd = tokenizer.SingleTokenId(ChatTemplate.ImEnd);
    }

    public LlavaOnevisionModel Model { get; }
    public VlmTokenizer Tokenizer { get; }
    public string? SystemPrompt { get; }
    /// <summary>Tokens written at most per caption; a caption that has not ended by then is returned as it stands.</summary>
    public int MaxTokens { get; }
    public int BatchSize { get; }

    /// <summary>The user turn that asks for the caption of the edited image.</summary>
    public static string Prompt(string instruction)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        return $"{instruction.Trim().TrimEnd('.')}. describe the image after this edit.";
    }

    /// <summary>One caption per (source image, instruction), in order.</summary>
    public IReadOnlyList<string> Write(IReadOnlyList<RgbImage> images, IReadOnlyList<string> instructions)
    {
        if (images.Count != instructions.Count) throw new ArgumentException("One instruction per image is needed.", nameof(instructions));
        var captions = new List<string>(images.Count);
        for (int start = 0; start < images.Count; start += BatchSize)
        {
            int n = Math.Min(BatchSize, images.Count - start);
            captions.AddRange(WriteBatch(images.Skip(start).Take(n).ToList(), instructions.Skip(start).Take(n).ToList()));
        }
        return captions;
    }

    private IReadOnlyList<string> WriteBatch(IReadOnlyList<RgbImage> images, IReadOnlyList<string> instructions)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        bool wasTraining = Model.training;
        Model.eval();
        try
        {
            var device = Model.parameters().First().device;
            var features = Model.ImageFeatures(VlmImageProcessor.Preprocess(ImageTensors.ToBatch(images, device), Model.Config));
            var prompts = instructions.Select(i => Tokenizer.EncodeQuestion(1, Prompt(i), Model.Config.TokensPerImage, SystemPrompt)).ToArray();
            var written = instructions.Select(_ => new List<int>()).ToArray();
            var open = Enumerable.Range(0, images.Count).ToList();
            for (int t = 0; t < MaxTokens && open.Count > 0; t++)
            {
                // No key-value cache: the tiny decoder's prompts are short, so a full forward per token is cheap.
                using var step = NewDisposeScope();
                var sequences = open.Select(r => prompts[r].Concat(written[r]).ToArray()).ToList();
                using var batch = PromptBatch.LeftPadded(sequences, CompactVocabulary.UnknownId, device);
                var openFeatures = features.index_select(0, torch.tensor(open.Select(r => (long)r).ToArray(), device: device));
                var hidden = Model.Forward(batch.InputIds, batch.AttentionMask, openFeatures);
                var next = Model.Logits(hidden.select(1, -1)).argmax(-1).cpu().data<long>().ToArray();
                var still = new List<int>(open.Count);
                for (int k = 0; k < open.Count; k++)
                {
                    if (next[k] == _imEnd) continue;
                    written[open[k]].Add((int)next[k]);
                    still.Add(open[k]);
                }
                open = still;
            }
            return written.Select(ids => Tokenizer.Decode(ids).Trim()).ToList();
        }
        finally
        {
            if (wasTraining) Model.train();
        }
    }
}
