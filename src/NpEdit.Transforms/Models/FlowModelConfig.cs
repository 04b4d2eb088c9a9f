namespace NpEdit.Transforms.Models;

/// <summary>Everything needed to rebuild a <see cref="FlowModel"/> before its weights are loaded.</summary>
public sealed record FlowModelConfig
{
    public FlowDiTConfig Transformer { get; init; } = new();
    public TextEncoderConfig Text { get; init; } = new();
    /// <summary>GPT-2 ids with embedding rows (see <see cref="TextTokenizer"/>).</summary>
    public int[] Vocabulary { get; init; } = Array.Empty<int>();
    /// <summary>Codec name; only "pixel" is built in.</summary>
    public string Codec { get; init; } = "pixel";
    public double CodecScale { get; init; } = 1.0;
    /// <summary>Image side in pixels (latent side times the codec's downsampling).</summary>
    public int ImageSize { get; init; } = 32;

    public void Validate()
    {
        Transformer.Validate();
        if (Transformer.TextHidden != Text.Hidden)
            throw new ArgumentException($"Transformer.TextHidden ({Transformer.TextHidden}) must equal Text.Hidden ({Text.Hidden}).");
        if (Text.VocabSize != TextTokenizer.SpecialCount + Vocabulary.Length)
            throw new ArgumentException($"Text.VocabSize ({Text.VocabSize}) must be {TextTokenizer.SpecialCount} + vocabulary length ({Vocabulary.Length}).");
        if (Codec != "pixel") throw new ArgumentException($"Unknown codec '{Codec}'.");
        if (ImageSize != Transformer.LatentSize) throw new ArgumentException($"ImageSize {ImageSize} does not match the pixel codec latent size {Transformer.LatentSize}.");
    }
}
