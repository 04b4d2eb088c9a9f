namespace NpEdit.Transforms.Imaging;

/// <summary>
/// Tiles images into one grid image for looking at many results at once: row-major, a fixed number of columns,
/// padding around every tile, optional nearest-neighbour upscaling (32 px images are hard to see otherwise) and an
/// optional short label under each tile (<see cref="BitmapFont"/>). Tiles smaller than the largest are top-left aligned.
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
        bool labels = _tiles.Any(t => !string.IsNullOrEmpty(t.Label));
        int labelH = labels ? BitmapFont.GlyphHeight + 2 : 0;
        int cols = Math.Min(Columns, _tiles.Count), rows = (_tiles.Count + Columns - 1) / Columns;
        int width = Padding + cols * (tileW + Padding), height = Padding + rows * (tileH + labelH + Padding);
        var sheet = RgbImage.Filled(width, height, Background.R, Background.G, Background.B);
        for (int i = 0; i < _tiles.Count; i++)
        {
            int left = Padding + i % Columns * (tileW + Padding), top = Padding + i / Columns * (tileH + labelH + Padding);
            Blit(sheet, _tiles[i].Image, left, top);
            if (!string.IsNullOrEmpty(_tiles[i].Label)) BitmapFont.Draw(sheet, left, top + tileH + 1, _tiles[i].Label!, LabelColor);
        }
        return sheet;
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
