using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Differentiable Yes/No answers from a VLM judge: one teacher-forced forward per question (no decoding), the
/// logits of the answer tokens read at the last prompt position. Pixel images of the whole batch go through the
/// vision tower together, so gradients reach every pixel tensor; images given as cached features skip the tower.
/// A frozen scorer (the default) turns off <c>requires_grad</c> on every judge weight: the judge is differentiable
/// with respect to its inputs only, which is what NP-Edit needs.
/// </summary>
public sealed class YesNoScorer
{
    private readonly LlavaOnevisionModel _model;

    public YesNoScorer(LlavaOnevisionModel model, VlmTokenizer tokenizer, bool freeze = true, string? systemPrompt = null)
    {
        _model = model;
        Tokenizer = tokenizer;
        SystemPrompt = systemPrompt;
        if (tokenizer.ImageTokenId != model.Config.ImageTokenIndex)
        {
            throw new ArgumentException($"The tokenizer's <image> id {tokenizer.ImageTokenId} differs from the model's image_token_index {model.Config.ImageTokenIndex}.");
        }
        int vocab = model.Config.TextConfig.VocabSize;
        if (tokenizer.YesTokenId >= vocab || tokenizer.NoTokenId >= vocab)
        {
            throw new ArgumentException($"Answer token ids ({tokenizer.YesTokenId}, {tokenizer.NoTokenId}) are outside the model vocabulary of {vocab}.");
        }
        if (freeze)
        {
            foreach (var p in model.parameters()) p.requires_grad = false;
            model.eval();
        }
    }

    public LlavaOnevisionModel Model => _model;
    public VlmTokenizer Tokenizer { get; }
    public string? SystemPrompt { get; }
    public VlmConfig Config => _model.Config;

    /// <summary>The device the judge's weights live on; inputs are moved there.</summary>
    public Device Device => _model.parameters().First().device;

    /// <summary>
    /// Judge features for images <c>[N,3,H,W]</c> in [-1,1] without a graph (<c>[N, TokensPerImage, D]</c>), for
    /// <see cref="JudgeImage.FromFeatures"/>: computing the source image's features once per batch keeps their
    /// cost and their gradient out of every later question.
    /// </summary>
    public Tensor EncodeImages(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var pixels = VlmImageProcessor.Preprocess(images.to(Device), Config);
        return _model.ImageFeatures(pixels).detach().MoveToOuterDisposeScope();
    }

    /// <summary>Answer-position logits for each query (see <see cref="YesNoLogits"/>).</summary>
    public YesNoLogits Score(IReadOnlyList<JudgeQuery> queries) => ScoreCore(queries, tapAfterLayers: -1).Logits;

    /// <summary>
    /// <see cref="Score"/> plus, for training-only read-outs, the decoder's residual stream after its first
    /// <paramref name="tapAfterLayers"/> blocks (<c>[B,T,D]</c>) and the prompts' token ids
    /// (<c>[B,T]</c>, left-padded as in the forward), which locate each image's tokens.
    /// </summary>
    public (YesNoLogits Logits, Tensor Tapped, Tensor InputIds) ScoreTapped(IReadOnlyList<JudgeQuery> queries, int tapAfterLayers)
    {
        if (tapAfterLayers < 0) throw new ArgumentOutOfRangeException(nameof(tapAfterLayers), "Tap after zero or more decoder layers.");
        var (logits, tapped, ids) = ScoreCore(queries, tapAfterLayers);
        return (logits, tapped!, ids!);
    }

    private (YesNoLogits Logits, Tensor? Tapped, Tensor? InputIds) ScoreCore(IReadOnlyList<JudgeQuery> queries, int tapAfterLayers)
    {
        if (queries.Count == 0) throw new ArgumentException("At least one query is needed.", nameof(queries));
        using var scope = NewDisposeScope();
        var device = Device;
        var features = CollectImageFeatures(queries, device);
        var prompts = queries.Select(q => Tokenizer.EncodeQuestion(q.Images.Count, q.Question, Config.TokensPerImage, SystemPrompt)).ToList();
        using var batch = PromptBatch.LeftPadded(prompts, CompactVocabulary.UnknownId, device);
        var (hidden, tapped) = _model.ForwardTapped(batch.InputIds, batch.AttentionMask, features, tapAfterLayers);
        var last = hidden.select(1, hidden.shape[1] - 1); // [B, D]: left padding puts every answer position last
        var full = _model.Logits(last).to(ScalarType.Float32);
        var yes = full.select(1, Tokenizer.YesTokenId);
        var no = full.select(1, Tokenizer.NoTokenId);
        var logits = new YesNoLogits(yes.MoveToOuterDisposeScope(), no.MoveToOuterDisposeScope(), full.MoveToOuterDisposeScope());
        // The ids are copied only for a tapped call: Score runs in NP-Edit's inner loop and keeps nothing else.
        return tapped is null ? (logits, null, null) : (logits, tapped.MoveToOuterDisposeScope(), batch.InputIds.clone().MoveToOuterDisposeScope());
    }

    /// <summary>P(Yes) = sigmoid(l_yes - l_no) for each query, as plain numbers (no graph).</summary>
    public float[] ProbabilityYes(IReadOnlyList<JudgeQuery> queries)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var logits = Score(queries);
        return logits.ProbabilityYes().cpu().data<float>().ToArray();
    }

    // Features for every image of every query in reading order, [M, TokensPerImage, D]; pixel images share one
    // tower pass.
    private Tensor? CollectImageFeatures(IReadOnlyList<JudgeQuery> queries, Device device)
    {
        var images = queries.SelectMany(q => q.Images).ToList();
        if (images.Count == 0) return null;
        var pixels = images.Where(i => i.Pixels is not null).Select(i => i.Pixels!.to(device)).ToList();
        Tensor? computed = null;
        if (pixels.Count > 0)
        {
            var batch = torch.stack(pixels);
            computed = _model.ImageFeatures(VlmImageProcessor.Preprocess(batch, Config));
        }
        int next = 0;
        var ordered = new List<Tensor>(images.Count);
        foreach (var image in images)
        {
            if (image.Pixels is not null) ordered.Add(computed![next++]);
            else ordered.Add(image.Features!.to(device));
        }
        return torch.stack(ordered);
    }
}
