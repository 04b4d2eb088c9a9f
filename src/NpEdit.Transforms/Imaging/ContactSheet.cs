namespace NpEdit.Transforms.Imaging;

/// <summary>
/// Tiles images into one grid image for looking at many results at once: row-major, a fixed number of columns,
/// padding around every tile, optional nearest-neighbour upscaling (32 px images are hard to see otherwise) and an
/// optional label under each tile, word-wrapped to the tile's width (<see cref="BitmapFont"/>). Tiles smaller than the largest are top-left aligned.
/// </summary>
public sealed class ContactSheet
{
    private readonly List<(RgbImage Image, string? Label)> _tiles = [];

    /// <param name="columns">Tiles per row.</param>
    /// <param name="padding">Pixels between tiles and around the sheet.</param>
    /// <param name="scale">Integer upscaling of every tile (nearest neighbour).</param>
    public ContactSheet(int columns, int padding = 2, int scale = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        Columns = columns;
        Padding = padding;
        Scale = scale;
    }

    public int Columns { get; }
    public int Padding { get; }
    public int Scale { get; }
    public (byte R, byte G, byte B) Background { get; init; } = (40, 40, 40);
    public (byte R, byte G, byte B) LabelColor { get; init; } = (230, 230, 230);

    public int Count => _tiles.Count;

    public ContactSheet Add(RgbImage image, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        _tiles.Add((image, label));
        return this;
    }

    public RgbImage Build()
    {
        if (_tiles.Count == 0) throw new InvalidOperationException("A contact sheet needs at least one image.");
        int tileW = _tiles.Max(t => t.Image.Width) * Scale, tileH = _tiles.Max(t => t.Image.Height) * Scale;
        // Labels wrap inside their tile's width: an instruction is usually wider than a 32 px tile, and a label that
        // runs into its neighbour's is unreadable.
        var lines = _tiles.Select(t => Wrap(t.Label, tileW)).ToList();
        int lineCount = lines.Max(l => l.Count);
        int labelH = lineCount == 0 ? 0 : lineCount * (BitmapFont.GlyphHeight + 1) + 1;
        int cols = Math.Min(Columns, _tiles.Count), rows = (_tiles.Count + Columns - 1) / Columns;
        int width = Padding + cols * (tileW + Padding), height = Padding + rows * (tileH + labelH + Padding);
        var sheet = RgbImage.Filled(width, height, Background.R, Background.G, Background.B);
        for (int i = 0; i < _tiles.Count; i++)
        {
            int left = Padding + i % Columns * (tileW + Padding), top = Padding + i / Columns * (tileH + labelH + Padding);
            Blit(sheet, _tiles[i].Image, left, top);
            for (int l = 0; l < lines[i].Count; l++)
            {
                BitmapFont.Draw(sheet, left, top + tileH + 1 + l * (BitmapFont.GlyphHeight + 1), lines[i][l], LabelColor);
            }
        }
        return sheet;
    }

    /// <summary>Greedy word wrap to <paramref name="width"/> pixels; a word longer than a line is cut.</summary>
    private static List<string> Wrap(string? label, int width)
    {
        var lines = new List<string>();
        if (string.IsNullOrEmpty(label)) return lines;
        int perLine = Math.Max(1, (width + 1) / (BitmapFont.GlyphWidth + 1));
        string current = "";
        foreach (var word in label.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = current.Length == 0 ? word : current + " " + word;
            if (candidate.Length <= perLine)
            {
                current = candidate;
                continue;
            }
            if (current.Length > 0) lines.Add(current);
            current = word;
            while (current.Length > perLine)
            {
                lines.Add(current[..perLine]);
                current = current[perLine..];
            }
        }
        if (current.Length > 0) lines.Add(current);
        return lines;
    }

    private void Blit(RgbImage sheet, RgbImage image, int left, int top)
    {
        for (int y = 0; y < image.Height * Scale; y++)
        {
            for (int x = 0; x < image.Width * Scale; x++)
            {
                var (r, g, b) = image.GetPixel(x / Scale, y / Scale);
                sheet.SetPixel(left + x, top + y, r, g, b);
            }
        }
    }
}
