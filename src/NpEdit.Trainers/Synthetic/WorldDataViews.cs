using Microsoft.ML;
using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// The world as ML.NET data: lazy, deterministic <see cref="IDataView"/>s whose row <c>i</c> is generated from
/// (seed, i) when a cursor reads it (see <see cref="GeneratedDataView{TRow}"/>). Images are <c>MLImage</c> columns
/// of <c>size</c> x <c>size</c>; <c>EditType</c> holds the <see cref="Synthetic.EditType"/> name.
/// The <see cref="MLContext"/> parameter is accepted for symmetry with ML.NET catalogs and may be null.
/// </summary>
public static class WorldDataViews
{
    /// <summary>
    /// NP-Edit training rows from <see cref="WorldSplit.Train"/>: Image (the source), Instruction, SourceCaption,
    /// EditedCaption, EditType, EditObject. No target image: NP-Edit learns without pairs.
    /// </summary>
    /// <param name="types">Only edits of these categories (all by default).</param>
    public static IDataView TrainingRows(MLContext? mlContext, long count, int seed = 0, int size = SceneRenderer.DefaultSize, IReadOnlyList<EditType>? types = null) =>
        new GeneratedDataView<EditSample>(count, i => WorldRows.Edit(seed, i, WorldSplit.Train, types), EditColumns(size));

    /// <summary>
    /// Rows for an edited-caption writer (<c>EditedCaptionWriter</c>) from <see cref="WorldSplit.Train"/>: Image (the
    /// source), Instruction, and EditedCaption written canonically (<see cref="Captioner.Canonical"/>: reading order, one
    /// phrasing). Why canonical: a sampled caption lists the objects in a random order, which nothing in the image or the
    /// instruction predicts, so a writer trained on it must also learn to track which objects it has named; in reading
    /// order it names the occupied cells one after another. Still no edited image: the caption comes from the rows' text side.
    /// </summary>
    public static IDataView WriterRows(MLContext? mlContext, long count, int seed = 0, int size = SceneRenderer.DefaultSize) =>
        new GeneratedDataView<EditSample>(count, i => WorldRows.Edit(seed, i, WorldSplit.Train, null),
        [
            GeneratedColumn<EditSample>.Image(WorldColumns.Image, size, e => SceneRenderer.Render(e.Source, size)),
            GeneratedColumn<EditSample>.Text(WorldColumns.Instruction, e => e.Instruction),
            GeneratedColumn<EditSample>.Text(WorldColumns.EditedCaption, e => Captioner.Canonical(e.Target)),
        ]);

    /// <summary>
    /// Evaluation rows (by default from <see cref="WorldSplit.Eval"/>): the training columns plus TargetImage,
    /// SourceSceneJson, TargetSceneJson and HeldOut (true when a held-out template or combination is involved).
    /// </summary>
    public static IDataView EvaluationRows(MLContext? mlContext, long count, int seed = 0, int size = SceneRenderer.DefaultSize, WorldSplit split = WorldSplit.Eval)
    {
        var columns = EditColumns(size).ToList();
        columns.Add(GeneratedColumn<EditSample>.Image(WorldColumns.TargetImage, size, e => SceneRenderer.Render(e.Target, size)));
        columns.Add(GeneratedColumn<EditSample>.Text(WorldColumns.SourceSceneJson, e => e.Source.ToJson()));
        columns.Add(GeneratedColumn<EditSample>.Text(WorldColumns.TargetSceneJson, e => e.Target.ToJson()));
        columns.Add(GeneratedColumn<EditSample>.Boolean(WorldColumns.HeldOut, e => e.UsesHeldOut));
        return new GeneratedDataView<EditSample>(count, i => WorldRows.Edit(seed, i, split), columns);
    }

    /// <summary>
    /// Text-to-image rows: Image, Caption, and SceneJson (the scene the image renders, for a prior's cell probe). With <paramref name="instructionTextProbability"/> above 0, that share of
    /// rows is captioned by an edit instruction that the image fulfils (<see cref="WorldRows.InstructedScene"/>).
    /// </summary>
    /// <param name="objectCurriculumRows">0 (the shipped prior): every row draws 1-3 objects. N &gt; 0: row i draws at most
    /// 1 + i / N objects (capped at 3), so a trainer that reads rows in order sees single-object scenes for its first N
    /// rows and every scene from row 2N on: where an object goes is learnt without first having to tell objects apart.</param>
    public static IDataView TextToImageRows(MLContext? mlContext, long count, int seed = 0, int size = SceneRenderer.DefaultSize, WorldSplit split = WorldSplit.Train, double instructionTextProbability = 0, long objectCurriculumRows = 0)
    {
        if (objectCurriculumRows < 0) throw new ArgumentOutOfRangeException(nameof(objectCurriculumRows), objectCurriculumRows, "Must be 0 (off) or positive.");
        int MaxObjects(long i) => objectCurriculumRows == 0 ? SceneLayout.MaxObjects : (int)Math.Min(SceneLayout.MaxObjects, 1 + i / objectCurriculumRows);
        return new GeneratedDataView<CaptionedScene>(count, i => WorldRows.TextToImage(seed, i, split, instructionTextProbability, MaxObjects(i)),
        [
            GeneratedColumn<CaptionedScene>.Image(WorldColumns.Image, size, r => SceneRenderer.Render(r.Scene, size)),
            GeneratedColumn<CaptionedScene>.Text(WorldColumns.Caption, r => r.Caption),
            GeneratedColumn<CaptionedScene>.Text(WorldColumns.SceneJson, r => r.Scene.ToJson()),
        ]);
    }

    /// <summary>Scene rows: Image and SceneJson (the scene it renders), e.g. for a dense probe of a judge's image features.</summary>
    public static IDataView SceneRows(MLContext? mlContext, long count, int seed = 0, int size = SceneRenderer.DefaultSize, WorldSplit split = WorldSplit.Train) =>
        new GeneratedDataView<CaptionedScene>(count, i => WorldRows.Caption(seed, i, split),
        [
            GeneratedColumn<CaptionedScene>.Image(WorldColumns.Image, size, r => SceneRenderer.Render(r.Scene, size)),
            GeneratedColumn<CaptionedScene>.Text(WorldColumns.SceneJson, r => r.Scene.ToJson()),
        ]);

    /// <summary>
    /// Judge rows: Image, SecondImage (all black when ImageCount is 1), ImageCount (1 or 2), Question, Answer, Kind,
    /// and the ground truth SceneJson, SecondSceneJson (empty when ImageCount is 1).
    /// A fraction <paramref name="npEditFraction"/> are NP-Edit questions (<see cref="NpEditQuestions"/>), the rest
    /// general ones (<see cref="QuestionGenerator"/>).
    /// </summary>
    public static IDataView JudgeRows(MLContext? mlContext, long count, int seed = 0, int size = SceneRenderer.DefaultSize, WorldSplit split = WorldSplit.Train, double npEditFraction = 0.5)
    {
        var blank = RgbImage.Filled(size, size, 0, 0, 0);
        return new GeneratedDataView<JudgeQuestion>(count, i => WorldRows.Judge(seed, i, split, npEditFraction),
        [
            GeneratedColumn<JudgeQuestion>.Image(WorldColumns.Image, size, q => SceneRenderer.Render(q.Images[0], size)),
            GeneratedColumn<JudgeQuestion>.Image(WorldColumns.SecondImage, size, q => q.Images.Count > 1 ? SceneRenderer.Render(q.Images[1], size) : blank),
            GeneratedColumn<JudgeQuestion>.Int32(WorldColumns.ImageCount, q => q.Images.Count),
            GeneratedColumn<JudgeQuestion>.Text(WorldColumns.Question, q => q.Question),
            GeneratedColumn<JudgeQuestion>.Boolean(WorldColumns.Answer, q => q.Answer),
            GeneratedColumn<JudgeQuestion>.Text(WorldColumns.Kind, q => q.Kind),
            // Ground truth for training-only scene tokens (JudgeTrainer.Options.SceneTokenSteps); empty when unused.
            GeneratedColumn<JudgeQuestion>.Text(WorldColumns.SceneJson, q => q.Images[0].ToJson()),
            GeneratedColumn<JudgeQuestion>.Text(WorldColumns.SecondSceneJson, q => q.Images.Count > 1 ? q.Images[1].ToJson() : ""),
        ]);
    }

    private static IReadOnlyList<GeneratedColumn<EditSample>> EditColumns(int size) =>
    [
        GeneratedColumn<EditSample>.Image(WorldColumns.Image, size, e => SceneRenderer.Render(e.Source, size)),
        GeneratedColumn<EditSample>.Text(WorldColumns.Instruction, e => e.Instruction),
        GeneratedColumn<EditSample>.Text(WorldColumns.SourceCaption, e => e.SourceCaption),
        GeneratedColumn<EditSample>.Text(WorldColumns.EditedCaption, e => e.EditedCaption),
        GeneratedColumn<EditSample>.Text(WorldColumns.EditType, e => e.EditType.ToString()),
        GeneratedColumn<EditSample>.Text(WorldColumns.EditObject, e => e.ObjectPhrase),
        GeneratedColumn<EditSample>.Text(WorldColumns.EditQuestion, EditVerification.Question),
    ];
}
