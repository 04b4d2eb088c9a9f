using Microsoft.ML;
using Microsoft.ML.Data;
using NpEdit.Transforms.Data;
using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Where judge rows keep their parts (defaults are the world's <c>WorldDataViews.JudgeRows</c> names): the first
/// image, an optional second image with an optional count column saying whether it is used, the question, and
/// (for training) the answer.
/// </summary>
public sealed record JudgeColumns
{
    public string Image { get; init; } = "Image";
    /// <summary>Second image; ignored when absent from the schema or when <see cref="ImageCount"/> says 1.</summary>
    public string SecondImage { get; init; } = "SecondImage";
    /// <summary>1 or 2 (Int32); when absent, a present second-image column means two images.</summary>
    public string ImageCount { get; init; } = "ImageCount";
    public string Question { get; init; } = "Question";
    public string Answer { get; init; } = "Answer";
    /// <summary>What a question tests (text); read only for a training curriculum.</summary>
    public string Kind { get; init; } = "Kind";

    internal IReadOnlyList<string> InputsIn(DataViewSchema schema, bool withAnswer, bool withKind = false)
    {
        var names = new List<string> { Image, Question };
        if (schema.GetColumnOrNull(SecondImage) is not null) names.Add(SecondImage);
        if (schema.GetColumnOrNull(ImageCount) is not null) names.Add(ImageCount);
        if (withAnswer) names.Add(Answer);
        if (withKind) names.Add(Kind);
        return names;
    }

    internal void Validate(SchemaShape schema, bool withAnswer)
    {
        SchemaChecks.RequireImage(schema, Image, "image");
        SchemaChecks.RequireText(schema, Question, "question");
        if (SchemaChecks.TryFind(schema, SecondImage, out _)) SchemaChecks.RequireImage(schema, SecondImage, "second image");
        if (SchemaChecks.TryFind(schema, ImageCount, out var count) && !(count.Kind == SchemaShape.Column.VectorKind.Scalar && count.ItemType == NumberDataViewType.Int32))
            throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for image count column '{ImageCount}': expected Int32, got {count.ItemType}.");
        if (withAnswer)
        {
            if (!SchemaChecks.TryFind(schema, Answer, out var answer))
                throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for answer column '{Answer}': column not found (expected Boolean).");
            if (!(answer.Kind == SchemaShape.Column.VectorKind.Scalar && answer.ItemType == BooleanDataViewType.Instance))
                throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for answer column '{Answer}': expected Boolean, got {answer.ItemType}.");
        }
    }

    /// <summary>Binds getters on a row; the returned function reads the current row (images copied out of ML.NET's MLImage).</summary>
    internal Func<JudgeRow> Bind(DataViewRow row, bool withAnswer, bool withKind = false)
    {
        var schema = row.Schema;
        var image = row.GetGetter<MLImage>(schema[Image]);
        var question = row.GetGetter<ReadOnlyMemory<char>>(schema[Question]);
        var second = schema.GetColumnOrNull(SecondImage) is { } s ? row.GetGetter<MLImage>(s) : null;
        var count = schema.GetColumnOrNull(ImageCount) is { } c ? row.GetGetter<int>(c) : null;
        var answer = withAnswer ? row.GetGetter<bool>(schema[Answer]) : null;
        var kind = withKind ? row.GetGetter<ReadOnlyMemory<char>>(schema[Kind]) : null;
        return () =>
        {
            int images = 1;
            if (second is not null)
            {
                images = 2;
                if (count is not null)
                {
                    count(ref images);
                    if (images is not (1 or 2)) throw new InvalidDataException($"Image count {images} is not 1 or 2.");
                }
            }
            ReadOnlyMemory<char> text = default;
            question(ref text);
            bool truth = false;
            answer?.Invoke(ref truth);
            ReadOnlyMemory<char> kindText = default;
            kind?.Invoke(ref kindText);
            return new JudgeRow(Read(image), images == 2 ? Read(second!) : null, text.ToString(), truth) { Kind = kindText.ToString() };
        };
    }

    // An MLImage holds a native bitmap that may be invalid once the cursor moves: copy the pixels out and release it.
    private static RgbImage Read(ValueGetter<MLImage> getter)
    {
        MLImage value = null!;
        getter(ref value);
        if (value is null) throw new InvalidDataException("The image is missing.");
        try
        {
            return MLImageInterop.ToRgbImage(value);
        }
        finally
        {
            value.Dispose();
        }
    }
}

/// <summary>One judge row read out of an IDataView.</summary>
public sealed record JudgeRow(RgbImage Image, RgbImage? SecondImage, string Question, bool Answer)
{
    /// <summary>The row's question kind, when it was read (empty otherwise).</summary>
    public string Kind { get; init; } = "";

    public IReadOnlyList<RgbImage> Images => SecondImage is null ? new[] { Image } : new[] { Image, SecondImage };
}
