using NpEdit.Trainers.Synthetic;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// A training-only loss that grounds the decoder's words in the image tokens: when the judge has one image token per
/// world cell, each occupied cell's token, scored against the decoder's own (tied) embeddings of the shape, colour and
/// size words, must pick its object's words. A Yes/No question about one object needs two learned hops (find the image
/// token that matches a question word, then carry the match to the answer position), and training sat at a plateau
/// before either existed; this makes the first hop a dot product the decoder already has.
/// </summary>
public static class GroundingLoss
{
    public static Tensor Compute(LlavaOnevisionModel model, VlmTokenizer tokenizer, Tensor imageFeatures, IReadOnlyList<Scene> scenes)
    {
        int grid = SceneLayout.GridSize;
        if (model.Config.PooledPatchesPerSide != grid)
        {
            throw new InvalidOperationException(
                $"The grounding loss needs one image token per world cell ({grid}x{grid}), but the judge has {model.Config.PooledPatchesPerSide}x{model.Config.PooledPatchesPerSide}; " +
                "use a tower image size and pool stride that give 3x3 tokens (e.g. 36 px, patch 4 after the stem, stride 3).");
        }
        using var scope = NewDisposeScope();
        var device = imageFeatures.device;
        int cells = grid * grid;
        var tokens = imageFeatures.narrow(1, 0, cells).reshape(-1, imageFeatures.shape[2]);
        var (_, shape, color, size) = SceneProbe.Labels(scenes);
        long[] occupied = Enumerable.Range(0, shape.Length).Where(i => shape[i] > 0).Select(i => (long)i).ToArray();
        var cellTokens = tokens.index_select(0, torch.tensor(occupied, device: device));
        var embeddings = model.LanguageModel.Model.EmbedTokens.weight!;
        Tensor Part(IEnumerable<string> words, long[] labels)
        {
            var table = torch.stack(words.Select(w => WordEmbedding(embeddings, tokenizer, w)).ToArray());
            var logits = cellTokens.matmul(table.t().to(cellTokens.dtype)).to(ScalarType.Float32);
            // Labels count 0 as empty; occupied cells hold 1..K.
            var target = torch.tensor(occupied.Select(i => labels[i] - 1).ToArray(), device: device);
            return nn.functional.cross_entropy(logits, target);
        }
        var loss = Part(Enum.GetValues<ShapeKind>().Select(s => s.ToString().ToLowerInvariant()), shape)
            .Add(Part(Palette.ObjectColors.Select(c => c.Name), color))
            .Add(Part(Enum.GetValues<SizeKind>().Select(s => s.ToString().ToLowerInvariant()), size))
            .Div(3);
        return loss.MoveToOuterDisposeScope();
    }

    // A word as questions use it (after a space); the mean of its tokens' embeddings if BPE splits it.
    private static Tensor WordEmbedding(Tensor embeddings, VlmTokenizer tokenizer, string word)
    {
        var ids = tokenizer.Encode(" " + word);
        return embeddings.index_select(0, torch.tensor(ids.Select(i => (long)i).ToArray(), device: embeddings.device)).mean(new long[] { 0 });
    }
}
