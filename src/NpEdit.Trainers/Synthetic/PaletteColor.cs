namespace NpEdit.Trainers.Synthetic;

/// <summary>A named 8-bit RGB colour; the name is the word captions and instructions use.</summary>
public sealed record PaletteColor(string Name, byte R, byte G, byte B)
{
    public override string ToString() => Name;
}
