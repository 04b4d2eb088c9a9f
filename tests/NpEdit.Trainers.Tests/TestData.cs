using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Tests;

/// <summary>Small in-memory data views for tests.</summary>
internal static class TestData
{
    public sealed class ImageCaptionRow
    {
        [ImageType(16, 16)]
        public MLImage Image { get; set; } = null!;
        public string Caption { get; set; } = "";
    }

    /// <summary>Solid-colour 16x16 images captioned with their colour.</summary>
    public static IDataView SolidColours(MLContext context, int count)
    {
        var colours = new (string Name, byte R, byte G, byte B)[] { ("red", 220, 40, 40), ("blue", 40, 80, 220), ("green", 40, 170, 60) };
        var rows = Enumerable.Range(0, count).Select(i =>
        {
            var c = colours[i % colours.Length];
            return new ImageCaptionRow { Image = MLImageInterop.ToMLImage(RgbImage.Filled(16, 16, c.R, c.G, c.B)), Caption = $"a {c.Name} image" };
        }).ToList();
        return context.Data.LoadFromEnumerable(rows);
    }

    /// <summary>Default-world scenes (one to three objects on a flat backdrop, 32x32) with their captions.</summary>
    public static IDataView ObjectsOnBackdrops(MLContext context, int count) =>
        NpEdit.Trainers.Synthetic.WorldDataViews.TextToImageRows(context, count, seed: 3);
}
