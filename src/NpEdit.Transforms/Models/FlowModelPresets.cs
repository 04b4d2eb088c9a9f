namespace NpEdit.Transforms.Models;

/// <summary>Named flow-model configurations.</summary>
public static class FlowModelPresets
{
    /// <summary>A stand-in vocabulary of 400 ids for benchmarks and shape tests (real models carry their own).</summary>
    public static readonly int[] PlaceholderVocabulary = Enumerable.Range(200, 400).ToArray();

    /// <summary>The default world's prior: 32 px pixel space, patch 4 (64 tokens per image), sized so that NP-Edit's
    /// student, teacher and fake score together train in minutes on a 2-core CPU.</summary>
    public static FlowModelConfig Shapes32(int[] vocabulary) => new()
    {
        ImageSize = 32,
        Vocabulary = vocabulary,
        Text = new TextEncoderConfig { VocabSize = TextTokenizer.SpecialCount + vocabulary.Length, MaxLength = 24, Hidden = 128, Depth = 2, Heads = 4 },
        Transformer = new FlowDiTConfig
        {
            LatentSize = 32, Channels = 3, PatchSize = 4, Hidden = 128, Depth = 6, Heads = 4, MlpRatio = 4, TextHidden = 128,
            RopeAxes = new[] { 8, 12, 12 },
        },
    };

    /// <summary>A very small configuration for tests (seconds on a CPU).</summary>
    public static FlowModelConfig Tiny(int[] vocabulary, int imageSize = 16) => new()
    {
        ImageSize = imageSize,
        Vocabulary = vocabulary,
        Text = new TextEncoderConfig { VocabSize = TextTokenizer.SpecialCount + vocabulary.Length, MaxLength = 12, Hidden = 32, Depth = 1, Heads = 2 },
        Transformer = new FlowDiTConfig
        {
            LatentSize = imageSize, Channels = 3, PatchSize = 4, Hidden = 32, Depth = 2, Heads = 2, MlpRatio = 2, TextHidden = 32,
            RopeAxes = new[] { 4, 6, 6 },
        },
    };
}
