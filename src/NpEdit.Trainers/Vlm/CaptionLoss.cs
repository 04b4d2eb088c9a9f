using NpEdit.Transforms.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Teacher-forced captioning loss, LLaVA's first training stage: for (image, caption) the prompt asks for a
/// description and every caption token (and the closing <c>&lt;|im_end|&gt;</c>) is a next-token target. Why here:
/// a Yes/No answer carries one bit per image, a caption carries every object's colour, shape, size and place, so
/// the tower and projector learn grounded features many times faster; the judge questions then only have to
/// learn to read them.
/// </summary>
public static class CaptionLoss
{
    /// <summary>The instruction that precedes every caption.</summary>
    public const string Prompt = "describe the image.";

    /// <summary>Mean cross-entropy over caption tokens for images <c>[N,3,H,W]</c> in [-1,1] and their captions.</summary>
    public static Tensor Compute(LlavaOnevisionModel model, VlmTokenizer tokenizer, Tensor images, IReadOnlyList<string> captions, string? systemPrompt = null) =>
        Compute(model, tokenizer, images, Enumerable.Repeat(Prompt, captions.Count).ToList(), captions, systemPrompt);

    /// <summary>The same with a prompt per image, e.g. an edit instruction whose result the caption describes
    /// (<see cref="EditedCaptionWriter"/>); with <paramref name="noise"/> the model reads noisy inputs while the
    /// targets stay the clean caption.</summary>
    public static Tensor Compute(LlavaOnevisionModel model, VlmTokenizer tokenizer, Tensor images, IReadOnlyList<string> prompts, IReadOnlyList<string> captions,
        string? systemPrompt = null, CaptionNoise? noise = null, Random? random = null)
    {
        if (noise is not null && random is null) throw new ArgumentException("Caption noise needs a random generator.", nameof(random));
        if (images.shape[0] != captions.Count) throw new ArgumentException("One caption per image is needed.", nameof(captions));
        if (prompts.Count != captions.Count) throw new ArgumentException("One prompt per caption is needed.", nameof(prompts));
        using var scope = NewDisposeScope();
        var device = images.device;
        int imEnd = tokenizer.SingleTokenId(ChatTemplate.ImEnd);
        var promptIds = new List<int[]>(captions.Count);
        var answerIds = new List<int[]>(captions.Count);
        var targets = new List<int[]>(captions.Count);
        for (int row = 0; row < captions.Count; row++)
        {
            var prompt = tokenizer.EncodeQuestion(1, prompts[row], model.Config.TokensPerImage, systemPrompt);
            var answer = tokenizer.Encode(captions[row]).Append(imEnd).ToArray();
            // Position p predicts token p+1: prompt positions predict nothing (-100) except the last, which
            // predicts the first caption token.
            var target = Enumerable.Repeat(-100, prompt.Length - 1).Concat(answer).Append(-100).ToArray();
            promptIds.Add(prompt);
            answerIds.Add(answer);
            targets.Add(target);
        }
        (IReadOnlyList<int[]> sequences, bool[] grayscale) = noise is null
            ? (promptIds.Select((p, r) => p.Concat(answerIds[r]).ToArray()).ToList(), new bool[captions.Count])
            : noise.Apply(promptIds, answerIds, random!);
        for (int row = 0; row < captions.Count; row++)
        {
            if (!grayscale[row]) continue;
            for (int i = 0; i < targets[row].Length; i++)
            {
                if (noise!.IsColor(targets[row][i])) targets[row][i] = -100;
            }
        }
        if (grayscale.Any(g => g)) images = Grayscale(images, grayscale);
        using var batch = PromptBatch.LeftPadded(sequences, CompactVocabulary.UnknownId, device);
        int length = (int)batch.InputIds.shape[1];
        var labels = new long[sequences.Count * length];
        Array.Fill(labels, -100L);
        for (int row = 0; row < sequences.Count; row++)
        {
            int offset = row * length + (length - targets[row].Length);
            for (int i = 0; i < targets[row].Length; i++) labels[offset + i] = targets[row][i];
        }
        var features = model.ImageFeatures(VlmImageProcessor.Preprocess(images, model.Config));
        var hidden = model.Forward(batch.InputIds, batch.AttentionMask, features);
        var logits = model.Logits(hidden).to(ScalarType.Float32);
        var labelTensor = torch.tensor(labels, dtype: ScalarType.Int64, device: device);
        var loss = nn.functional.cross_entropy(logits.view(-1, logits.shape[2]), labelTensor, ignore_index: -100);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>The chosen rows of <c>[N,3,H,W]</c> images as luminance (ITU-R BT.601) in all three channels.</summary>
    internal static Tensor Grayscale(Tensor images, IReadOnlyList<bool> rows)
    {
        var weights = torch.tensor(new[] { 0.299f, 0.587f, 0.114f }, dtype: images.dtype, device: images.device).view(1, 3, 1, 1);
        var luminance = images.mul(weights).sum(1, keepdim: true).expand_as(images);
        var chosen = torch.tensor(rows.ToArray(), device: images.device).view(-1, 1, 1, 1);
        return torch.where(chosen, luminance, images);
    }
}
