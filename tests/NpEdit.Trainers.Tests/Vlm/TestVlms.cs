using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

/// <summary>Microscopic VLMs and tokenizers for fast tests.</summary>
internal static class TestVlms
{
    public static readonly string[] Corpus =
    {
        "Is there a red circle?", "Is the square blue?", "Are the two images the same?", "Yes", "No",
    };

    private static readonly Lazy<VlmTokenizer> SharedTokenizer = new(() =>
    {
        var gpt2 = VlmTokenizer.Gpt2Base();
        var compact = CompactVocabulary.Build(gpt2, Corpus, VlmTokenizer.Gpt2AddedTokens.Keys.Concat(new[] { "Yes", "No" }));
        return new VlmTokenizer(gpt2, "gpt2", compact);
    });

    /// <summary>GPT-2 narrowed to a compact vocabulary built from <see cref="Corpus"/>.</summary>
    public static VlmTokenizer Tokenizer => SharedTokenizer.Value;

    /// <summary>8x8 images, patch 2 (16 patches, pooled to 4, plus a newline: 5 tokens per image), 2+2 layers.</summary>
    public static VlmConfig Config(int vocabSize = 64, int imageTokenIndex = 3, int poolStride = 2, bool tied = true, bool newline = true) => new()
    {
        VisionConfig = new VisionTowerConfig
        {
            HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 2, ImageSize = 8, PatchSize = 2,
        },
        TextConfig = new TextModelConfig
        {
            VocabSize = vocabSize, HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4,
            NumKeyValueHeads = 2, RopeTheta = 10_000.0, MaxPositionEmbeddings = 128, TieWordEmbeddings = tied,
        },
        ImageTokenIndex = imageTokenIndex,
        ImagePoolStride = poolStride,
        UseImageNewlineParameter = newline,
    };

    public static LlavaOnevisionModel Model(VlmConfig config, int seed = 1)
    {
        TorchRuntime.EnsureInitialized();
        var model = new LlavaOnevisionModel(config);
        VlmWeights.InitializeForTraining(model, seed, std: 0.2); // large weights so differences show in the logits
        model.eval();
        return model;
    }

    /// <summary>A model whose vocabulary and image token fit <see cref="Tokenizer"/>.</summary>
    public static LlavaOnevisionModel ModelForTokenizer(int seed = 1) =>
        Model(Config(Tokenizer.Compact!.Count, Tokenizer.ImageTokenId), seed);

    public static Tensor RandomImage(int seed, int size = 8)
    {
        using var generator = new Generator((ulong)seed);
        return torch.rand(3, size, size, generator: generator).Mul(2).Sub(1);
    }
}
