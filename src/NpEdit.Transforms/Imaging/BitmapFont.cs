namespace NpEdit.Transforms.Imaging;

/// <summary>
/// A 3x5 pixel font (digits, A-Z, a little punctuation; lower case drawn as upper case) for labelling contact
/// sheets without a font library. Unknown characters draw as '?'.
/// </summary>
public static class BitmapFont
{
    public const int GlyphWidth = 3;
    public const int GlyphHeight = 5;

    // Each glyph: 15 bits, rows top to bottom, 3 columns left to right.
    private static readonly Dictionary<char, string> Glyphs = new()
    {
        ['0'] = "111101101101111", ['1'] = "010110010010111", ['2'] = "111001111100111", ['3'] = "111001111001111",
        ['4'] = "101101111001001", ['5'] = "111100111001111", ['6'] = "111100111101111", ['7'] = "111001001001001",
        ['8'] = "111101111101111", ['9'] = "111101111001111",
        ['A'] = "010101111101101", ['B'] = "110101110101110", ['C'] = "011100100100011", ['D'] = "110101101101110",
        ['E'] = "111100110100111", ['F'] = "111100110100100", ['G'] = "011100101101011", ['H'] = "101101111101101",
        ['I'] = "111010010010111", ['J'] = "001001001101010", ['K'] = "101101110101101", ['L'] = "100100100100111",
        ['M'] = "101111111101101", ['N'] = "110101101101101", ['O'] = "010101101101010", ['P'] = "110101110100100",
        ['Q'] = "010101101110011", ['R'] = "110101110101101", ['S'] = "011100010001110", ['T'] = "111010010010010",
        ['U'] = "101101101101111", ['V'] = "101101101101010", ['W'] = "101101111111101", ['X'] = "101101010101101",
        ['Y'] = "101101010010010", ['Z'] = "111001010100111",
        [' '] = "000000000000000", ['.'] = "000000000000010", ['-'] = "000000111000000", [':'] = "000010000010000",
        ['_'] = "000000000000111", ['/'] = "001001010100100", ['?'] = "111001010000010",
    };

    /// <summary>Width in pixels of <paramref name="text"/> (one blank column between glyphs).</summary>
    public static int MeasureWidth(string text, int scale = 1) => text.Length == 0 ? 0 : (text.Length * (GlyphWidth + 1) - 1) * scale;

    /// <summary>Draws text with its top-left corner at (x, y); pixels outside the image are skipped.</summary>
    public static void Draw(RgbImage target, int x, int y, string text, (byte R, byte G, byte B) color, int scale = 1)
    {
        for (int i = 0; i < text.Length; i++)
        {
            var glyph = Glyphs.TryGetValue(char.ToUpperInvariant(text[i]), out var g) ? g : Glyphs['?'];
            int left = x + i * (GlyphWidth + 1) * scale;
            for (int bit = 0; bit < glyph.Length; bit++)
            {
                if (glyph[bit] != '1') continue;
                int gx = left + bit % GlyphWidth * scale, gy = y + bit / GlyphWidth * scale;
                for (int sy = 0; sy < scale; sy++)
                    for (int sx = 0; sx < scale; sx++)
                        if (gx + sx >= 0 && gx + sx < target.Width && gy + sy >= 0 && gy + sy < target.Height)
                            target.SetPixel(gx + sx, gy + sy, color.R, color.G, color.B);
            }
        }
    }
}
