using NpEdit.Transforms.Imaging;

namespace NpEdit.Transforms.Tests.Imaging;

public sealed class ContactSheetTests
{
    [Fact]
    public void Tiles_are_laid_out_row_major_with_padding()
    {
        var sheet = new ContactSheet(columns: 3, padding: 2);
        for (byte i = 0; i < 5; i++) sheet.Add(RgbImage.Filled(4, 4, (byte)(50 * i), 0, 0));
        var image = sheet.Build();
        image.Width.Should().Be(2 + 3 * (4 + 2));
        image.Height.Should().Be(2 + 2 * (4 + 2));
        image.GetPixel(2, 2).Should().Be(((byte)0, (byte)0, (byte)0));
        image.GetPixel(2 + 6, 2).Should().Be(((byte)50, (byte)0, (byte)0));
        image.GetPixel(2 + 6, 2 + 6).Should().Be(((byte)200, (byte)0, (byte)0));
        image.GetPixel(0, 0).Should().Be(sheet.Background);
    }

    [Fact]
    public void Scaling_repeats_pixels_and_labels_add_a_text_row()
    {
        var tile = RgbImage.Filled(2, 2, 9, 9, 9);
        tile.SetPixel(1, 1, 255, 255, 255);
        var image = new ContactSheet(columns: 1, padding: 0, scale: 3).Add(tile, "7").Build();
        image.Width.Should().Be(6);
        image.Height.Should().Be(6 + BitmapFont.GlyphHeight + 2);
        image.GetPixel(5, 5).Should().Be(((byte)255, (byte)255, (byte)255));
        image.GetPixel(2, 2).Should().Be(((byte)9, (byte)9, (byte)9));
        Enumerable.Range(0, 6 * BitmapFont.GlyphHeight).Any(i => image.GetPixel(i % 6, 7 + i / 6) == (230, 230, 230)).Should().BeTrue();
    }

    [Fact]
    public void A_label_wider_than_its_tile_wraps_onto_more_lines_and_stays_inside_the_tile()
    {
        var tile = RgbImage.Filled(8, 8, 0, 0, 0);
        int perLine = (16 + 1) / (BitmapFont.GlyphWidth + 1);
        var image = new ContactSheet(columns: 2, padding: 0, scale: 2).Add(tile, "MAKE IT RED").Add(tile).Build();
        image.Height.Should().BeGreaterThan(16 + 2 * BitmapFont.GlyphHeight, "three short words on a {0}-character line need more than one line", perLine);
        for (int y = 16; y < image.Height; y++)
        {
            for (int x = 16; x < 32; x++) image.GetPixel(x, y).Should().NotBe(((byte)230, (byte)230, (byte)230), "the label must not run into the next tile");
        }
    }

    [Fact]
    public void An_empty_sheet_cannot_be_built()
    {
        var act = () => new ContactSheet(4).Build();
        act.Should().Throw<InvalidOperationException>();
    }
}
