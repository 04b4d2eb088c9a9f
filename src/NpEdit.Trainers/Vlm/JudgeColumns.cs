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
    /// <summary>Ground-truth scene JSON of the first image (text); read only for training on scene tokens.</summary>
    public string Scene { get; init; } = "SceneJson";
    /// <summary>Ground-truth scene JSON of the second image (text); read only for training on scene tokens.</summary>
    public string SecondScene { get; init; } = "SecondSceneJson";

    internal IReadOnlyList<string> InputsIn(DataViewSchema schema, bool withAnswer, bool withKind = false, bool withScenes = false)
    {
        var names = new List<string> { Image, Question };
        if (schema.GetColumnOrNull(SecondImage) is not null) names.Add(SecondImage);
        if (schema.GetColumnOrNull(ImageCount) is not null) names.Add(ImageCount);
        if (withAnswer) names.Add(Answer);
        if (withKind) names.Add(Kind);
        if (withScenes) names.AddRange(SceneColumnsIn(schema).Except(names));
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
    internal Func<JudgeRow> Bind(DataViewRow row, bool withAnswer, bool withKind = false, bool withScenes = false)
    {
        var schema = row.Schema;
        var scenes = withScenes ? BindSceneList(row) : null;
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
            return new JudgeRow(Read(image), images == 2 ? Read(second!) : null, text.ToString(), truth)
            {
                Kind = kindText.ToString(),
                Scenes = scenes?.Invoke(),
            };
        };
    }

    /// <summary>
    /// Binds the text columns of a row for training on scene tokens: scenes, question, answer and kind, and no
    /// images (so none are decoded or rendered). Needs the <see cref="Scene"/> column, and <see cref="SecondScene"/>
    /// for rows with two images.
    /// </summary>
    internal Func<SceneQuestionRow> BindScenes(DataViewRow row)
    {
        var schema = row.Schema;
        var scenes = BindSceneList(row);
        var question = row.GetGetter<ReadOnlyMemory<char>>(schema[Question]);
        var answer = row.GetGetter<bool>(schema[Answer]);
        var kind = schema.GetColumnOrNull(Kind) is { } k ? row.GetGetter<ReadOnlyMemory<char>>(k) : null;
        return () =>
        {
            ReadOnlyMemory<char> text = default;
            question(ref text);
            bool truth = false;
            answer(ref truth);
            ReadOnlyMemory<char> kindText = default;
            kind?.Invoke(ref kindText);
            return new SceneQuestionRow(scenes(), text.ToString(), truth, kindText.ToString());
        };
    }

    /// <summary>Reads the question kind alone, the key that curricula and staged scene tokens filter on.</summary>
    internal Func<string> BindKind(DataViewRow row)
    {
        var kind = row.GetGetter<ReadOnlyMemory<char>>(row.Schema[Kind]);
        return () =>
        {
            ReadOnlyMemory<char> text = default;
            kind(ref text);
            return text.ToString();
        };
    }

    /// <summary>The columns <see cref="BindScenes"/> reads.</summary>
    internal IReadOnlyList<string> SceneInputsIn(DataViewSchema schema)
    {
        var names = new List<string>(SceneColumnsIn(schema)) { Question, Answer };
        if (schema.GetColumnOrNull(Kind) is not null) names.Add(Kind);
        return names;
    }

    // The scene JSON columns and the image count that says whether the second one is used.
    private IReadOnlyList<string> SceneColumnsIn(DataViewSchema schema)
    {
        var names = new List<string> { Scene };
        foreach (var optional in new[] { SecondScene, ImageCount })
        {
            if (schema.GetColumnOrNull(optional) is not null) names.Add(optional);
        }
        return names;
    }

    // The row's ground-truth scenes, one per image.
    private Func<IReadOnlyList<Synthetic.Scene>> BindSceneList(DataViewRow row)
    {
        var schema = row.Schema;
        var first = row.GetGetter<ReadOnlyMemory<char>>(schema[Scene]);
        var second = schema.GetColumnOrNull(SecondScene) is { } s ? row.GetGetter<ReadOnlyMemory<char>>(s) : null;
        var count = schema.GetColumnOrNull(ImageCount) is { } c ? row.GetGetter<int>(c) : null;
        return () =>
        {
            ReadOnlyMemory<char> text = default;
            var scenes = new List<Synthetic.Scene>(2);
            first(ref text);
            scenes.Add(Synthetic.Scene.FromJson(text.ToString()));
            int images = 1;
            count?.Invoke(ref images);
            if (images == 2)
            {
                if (second is null) throw new InvalidDataException($"The row has two images but no '{SecondScene}' column.");
                second(ref text);
                scenes.Add(Synthetic.Scene.FromJson(text.ToString()));
            }
            return scenes;
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

    /// <summary>Ground-truth scenes of the images, when they were read (training on scene tokens).</summary>
    public IReadOnlyList<Synthetic.Scene>? Scenes { get; init; }

    public IReadOnlyList<RgbImage> Images => SecondImage is null ? new[] { Image } : new[] { Image, SecondImage };
}

/// <summary>One judge row as ground-truth scenes instead of images (training on <see cref="SceneTokens"/>).</summary>
public sealed record SceneQuestionRow(IReadOnlyList<Synthetic.Scene> Scenes, string Question, bool Answer, string Kind);
