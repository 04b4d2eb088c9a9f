using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Tests.Vlm;

/// <summary>In-memory judge rows with the world's column names: a colour question that a tiny judge learns in seconds.</summary>
internal static class JudgeTestRows
{
    public sealed class Row
    {
        [ImageType(8, 8)] public MLImage Image { get; set; } = null!;
        [ImageType(8, 8)] public MLImage SecondImage { get; set; } = null!;
        public int ImageCount { get; set; }
        public string Question { get; set; } = "";
        public bool Answer { get; set; }
        public string Kind { get; set; } = "";
    }

    /// <summary>Row i shows a blue (even i) or red (odd i) image; the answer to "Is the square blue?" follows.
    /// Every third row adds a second image and asks whether the two are the same.</summary>
    public static IDataView Create(MLContext mlContext, int count) =>
        mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(Make));

    public static Row Make(int i)
    {
        bool blue = i % 2 == 0;
        var first = blue ? RgbImage.Filled(8, 8, 20, 40, 230) : RgbImage.Filled(8, 8, 230, 30, 20);
        if (i % 3 == 2)
        {
            bool same = (i / 3) % 2 == 0;
            var second = same ? first : RgbImage.Filled(8, 8, 30, 200, 40);
            return new Row
            {
                Image = MLImageInterop.ToMLImage(first), SecondImage = MLImageInterop.ToMLImage(second), ImageCount = 2,
                Question = "Are the two images the same?", Answer = same, Kind = "compare_same",
            };
        }
        return new Row
        {
            Image = MLImageInterop.ToMLImage(first), SecondImage = MLImageInterop.ToMLImage(RgbImage.Filled(8, 8, 0, 0, 0)), ImageCount = 1,
            Question = "Is the square blue?", Answer = blue, Kind = "color",
        };
    }
}
