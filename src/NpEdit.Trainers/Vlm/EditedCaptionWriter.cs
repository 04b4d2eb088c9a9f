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
    private YesNoScorer? _scorer;

    public EditedCaptionWriter(LlavaOnevisionModel model, VlmTokenizer tokenizer, string? systemPrompt = null, int maxTokens = 64, int batchSize = 64, int beamWidth = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(beamWidth, 1);
        BeamWidth = beamWidth;
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
    /// <summary>Captions kept per item while decoding: 1 is greedy decoding, more is <see cref="CaptionBeamSearch"/>.</summary>
    public int BeamWidth { get; }

    /// <summary>When set, each written caption's object phrases are checked against the same VLM's Yes/No answers about
    /// the source image and corrected where the answers clearly reject a word (<see cref="ObjectPhraseVerifier"/>).</summary>
    public ObjectPhraseVerifier? Verifier { get; init; }

    /// <summary>The same writer (weights shared) decoding with another beam width, and with its verifier or without.</summary>
    public EditedCaptionWriter WithDecoding(int beamWidth, bool verify = true) =>
        new(Model, Tokenizer, SystemPrompt, MaxTokens, BatchSize, beamWidth) { Verifier = verify ? Verifier : null };

    /// <summary>The user turn that asks for the caption of the edited image.</summary>
    public static string Prompt(string instruction)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        return $"{instruction.Trim().TrimEnd('.')}. describe the image after this edit.";
    }

    /// <summary>One caption per (source image, instruction), in order, checked by <see cref="Verifier"/> when there is one.</summary>
    public IReadOnlyList<string> Write(IReadOnlyList<RgbImage> images, IReadOnlyList<string> instructions)
    {
        var captions = WriteTokens(images, instructions).Select(ids => Tokenizer.Decode(ids).Trim()).ToList();
        return Verifier is null ? captions : Verify(images, instructions, captions);
    }

    private IReadOnlyList<string> Verify(IReadOnlyList<RgbImage> images, IReadOnlyList<string> instructions, IReadOnlyList<string> captions)
    {
        // Not frozen: freezing would switch off the gradients of a writer that is still being trained.
        _scorer ??= new YesNoScorer(Model, Tokenizer, freeze: false, SystemPrompt);
        bool wasTraining = Model.training;
        Model.eval();
        try
        {
            var verified = new List<string>(captions.Count);
            for (int start = 0; start < captions.Count; start += BatchSize)
            {
                int n = Math.Min(BatchSize, captions.Count - start);
                verified.AddRange(Verifier!.Verify(_scorer, images.Skip(start).Take(n).ToList(), instructions.Skip(start).Take(n).ToList(), captions.Skip(start).Take(n).ToList()));
            }
            return verified;
        }
        finally
        {
            if (wasTraining) Model.train();
        }
    }

    /// <summary>The token ids of each caption, without the end token.</summary>
    internal IReadOnlyList<IReadOnlyList<int>> WriteTokens(IReadOnlyList<RgbImage> images, IReadOnlyList<string> instructions)
    {
        if (images.Count != instructions.Count) throw new ArgumentException("One instruction per image is needed.", nameof(instructions));
        var captions = new List<IReadOnlyList<int>>(images.Count);
        for (int start = 0; start < images.Count; start += BatchSize)
        {
            int n = Math.Min(BatchSize, images.Count - start);
            captions.AddRange(WriteBatch(images.Skip(start).Take(n).ToList(), instructions.Skip(start).Take(n).ToList()));
        }
        return captions;
    }

    private IReadOnlyList<IReadOnlyList<int>> WriteBatch(IReadOnlyList<RgbImage> images, IReadOnlyList<string> instructions)
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
            if (BeamWidth > 1) return BeamSearch(features, prompts, device);
            var written = instructions.Select(_ => new List<int>()).ToArray();
            var open = Enumerable.Range(0, images.Count).ToList();
            for (int t = 0; t < MaxTokens && open.Count > 0; t++)
            {
                using var step = NewDisposeScope();
                var next = NextLogits(features, prompts, open, open.Select(r => (IReadOnlyList<int>)written[r]).ToList(), device).argmax(-1).cpu().data<long>().ToArray();
                var still = new List<int>(open.Count);
                for (int k = 0; k < open.Count; k++)
                {
                    if (next[k] == _imEnd) continue;
                    written[open[k]].Add((int)next[k]);
                    still.Add(open[k]);
                }
                open = still;
            }
            return written;
        }
        finally
        {
            if (wasTraining) Model.train();
        }
    }

    private IReadOnlyList<IReadOnlyList<int>> BeamSearch(Tensor features, int[][] prompts, Device device)
    {
        return CaptionBeamSearch.Run(prompts.Length, BeamWidth, MaxTokens, _imEnd, hypotheses =>
        {
            using var step = NewDisposeScope();
            var logits = NextLogits(features, prompts, hypotheses.Select(h => h.Item).ToList(), hypotheses.Select(h => h.Written).ToList(), device);
            var logProbs = torch.nn.functional.log_softmax(logits.to_type(ScalarType.Float32), -1).cpu();
            int vocab = (int)logProbs.shape[1];
            var flat = logProbs.data<float>().ToArray();
            return Enumerable.Range(0, hypotheses.Count).Select(r => flat.AsSpan(r * vocab, vocab).ToArray()).ToArray();
        });
    }

    /// <summary>The logits of the next token after each item's prompt and the tokens written so far, one row per item.</summary>
    private Tensor NextLogits(Tensor features, int[][] prompts, IReadOnlyList<int> items, IReadOnlyList<IReadOnlyList<int>> written, Device device)
    {
        // No key-value cache: the tiny decoder's prompts are short, so a full forward per token is cheap.
        var sequences = items.Select((item, k) => prompts[item].Concat(written[k]).ToArray()).ToList();
        using var batch = PromptBatch.LeftPadded(sequences, CompactVocabulary.UnknownId, device);
        var rows = features.index_select(0, torch.tensor(items.Select(item => (long)item).ToArray(), device: device));
        var hidden = Model.Forward(batch.InputIds, batch.AttentionMask, rows);
        return Model.Logits(hidden.select(1, -1));
    }
}
