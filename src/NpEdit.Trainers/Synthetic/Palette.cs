namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// The world's colours. Object and background colours are disjoint and every two colours are more than 90 RGB
/// units apart (the closest pairs: yellow/orange and black/navy 95, purple on gray 101), so the oracle can unmix
/// anti-aliased and blurred edges and still tell every colour apart under noise.
/// </summary>
public static class Palette
{
    public static readonly PaletteColor Red = new("red", 220, 40, 40);
    public static readonly PaletteColor Green = new("green", 40, 170, 60);
    public static readonly PaletteColor Blue = new("blue", 40, 90, 230);
    public static readonly PaletteColor Yellow = new("yellow", 240, 220, 40);
    public static readonly PaletteColor Purple = new("purple", 150, 60, 200);
    public static readonly PaletteColor Orange = new("orange", 250, 130, 10);
    public static readonly PaletteColor Pink = new("pink", 250, 120, 200);
    public static readonly PaletteColor Cyan = new("cyan", 40, 210, 220);

    public static readonly PaletteColor Gray = new("gray", 128, 128, 128);
    public static readonly PaletteColor White = new("white", 240, 240, 240);
    public static readonly PaletteColor Black = new("black", 16, 16, 16);
    public static readonly PaletteColor Navy = new("navy", 20, 30, 110);

    /// <summary>The 8 colours an object may have.</summary>
    public static IReadOnlyList<PaletteColor> ObjectColors { get; } = [Red, Green, Blue, Yellow, Purple, Orange, Pink, Cyan];

    /// <summary>The 4 colours a background may have; none of them is an object colour.</summary>
    public static IReadOnlyList<PaletteColor> BackgroundColors { get; } = [Gray, White, Black, Navy];

    /// <summary>Looks a colour up by its name (object or background); throws for an unknown name.</summary>
    public static PaletteColor Get(string name) =>
        TryGet(name, out var color) ? color : throw new ArgumentException($"'{name}' is not a palette colour.", nameof(name));

    public static bool TryGet(string name, out PaletteColor color)
    {
        color = ObjectColors.Concat(BackgroundColors).FirstOrDefault(c => c.Name == name)!;
        return color is not null;
    }
}
