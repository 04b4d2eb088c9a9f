namespace NpEdit.Transforms.Models;

/// <summary>Shape of the small text encoder trained jointly with the prior.</summary>
public sealed record TextEncoderConfig
{
    /// <summary>Rows of the embedding table: the compact vocabulary plus the special tokens.</summary>
    public int VocabSize { get; init; } = 512;
    /// <summary>Fixed token count after padding or truncation (including the start token).</summary>
    public int MaxLength { get; init; } = 24;
    public int Hidden { get; init; } = 128;
    public int Depth { get; init; } = 2;
    public int Heads { get; init; } = 4;
}
