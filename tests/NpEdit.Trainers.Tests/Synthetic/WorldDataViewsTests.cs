using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class WorldDataViewsTests
{
    [Fact]
    public void Training_rows_have_the_documented_columns_and_no_target()
    {
        var view = WorldDataViews.TrainingRows(new MLContext(0), 10, seed: 1, size: 64);
        view.Schema.Select(c => c.Name).Should().Equal(WorldColumns.Image, WorldColumns.Instruction, WorldColumns.SourceCaption,
            WorldColumns.EditedCaption, WorldColumns.EditType, WorldColumns.EditObject, WorldColumns.EditQuestion);
        view.Schema[WorldColumns.Image].Type.Should().BeOfType<ImageDataViewType>().Which.Height.Should().Be(64);
        view.Schema[WorldColumns.Instruction].Type.Should().Be(TextDataViewType.Instance);
        view.GetRowCount().Should().Be(10);
    }

    [Fact]
    public void Writer_rows_are_the_training_rows_source_and_instruction_with_the_edited_scene_captioned_in_reading_order()
    {
        var view = WorldDataViews.WriterRows(null, 30, seed: 4);
        view.Schema.Select(c => c.Name).Should().Equal(WorldColumns.Image, WorldColumns.Instruction, WorldColumns.EditedCaption);
        using var cursor = view.GetRowCursor(view.Schema);
        var instruction = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema[WorldColumns.Instruction]);
        var caption = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema[WorldColumns.EditedCaption]);
        while (cursor.MoveNext())
        {
            ReadOnlyMemory<char> text = default, written = default;
            instruction(ref text);
            caption(ref written);
            var edit = WorldRows.Edit(4, cursor.Position, WorldSplit.Train);
            text.ToString().Should().Be(edit.Instruction);
            written.ToString().Should().Be(Captioner.Canonical(edit.Target));
            CaptionMatch.Describes(written.ToString(), edit.Target).Should().BeTrue("the canonical caption is one the evaluation accepts");
        }
    }

    [Fact]
    public void A_million_row_view_opens_instantly_and_reads_its_last_row_without_generating_the_rest()
    {
        var clock = Stopwatch.StartNew();
        var view = WorldDataViews.TrainingRows(null, 1_000_000, seed: 3);
        view.GetRowCount().Should().Be(1_000_000);
        using var cursor = view.GetRowCursor(view.Schema);
        var instruction = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema[WorldColumns.Instruction]);
        var image = cursor.GetGetter<MLImage>(view.Schema[WorldColumns.Image]);
        while (cursor.Position < 999_999) cursor.MoveNext().Should().BeTrue();
        ReadOnlyMemory<char> text = default;
        MLImage? picture = null;
        instruction(ref text);
        image(ref picture!);
        cursor.MoveNext().Should().BeFalse();
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));

        ((GeneratedDataView<EditSample>)view).RowsGenerated.Should().Be(1);
        text.ToString().Should().Be(WorldRows.Edit(3, 999_999, WorldSplit.Train).Instruction);
        MLImageInterop.ToRgbImage(picture).Pixels.Should().Equal(SceneRenderer.Render(WorldRows.Edit(3, 999_999, WorldSplit.Train).Source).Pixels);
        picture.Dispose();
    }

    [Fact]
    public void Rows_are_deterministic_across_cursors_and_views()
    {
        var first = Instructions(WorldDataViews.TrainingRows(null, 20, seed: 7));
        first.Should().Equal(Instructions(WorldDataViews.TrainingRows(null, 20, seed: 7)));
        first.Should().NotEqual(Instructions(WorldDataViews.TrainingRows(null, 20, seed: 8)));
        first.Distinct().Count().Should().BeGreaterThan(10);
    }

    [Fact]
    public void Image_columns_work_with_ml_net_image_transforms()
    {
        var ml = new MLContext(0);
        var view = WorldDataViews.TrainingRows(ml, 5, seed: 2);
        var pipeline = ml.Transforms.ResizeImages("Small", 16, 16, WorldColumns.Image)
            .Append(ml.Transforms.ExtractPixels("Pixels", "Small"));
        var transformed = pipeline.Fit(view).Transform(view);
        var pixels = transformed.GetColumn<VBuffer<float>>("Pixels").ToArray();
        pixels.Should().HaveCount(5);
        pixels.Should().OnlyContain(p => p.Length == 3 * 16 * 16);
    }

    [Fact]
    public void Evaluation_rows_carry_the_target_image_and_both_scenes()
    {
        var view = WorldDataViews.EvaluationRows(null, 30, seed: 5);
        using var cursor = view.GetRowCursor(view.Schema);
        var target = cursor.GetGetter<MLImage>(view.Schema[WorldColumns.TargetImage]);
        var sourceJson = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema[WorldColumns.SourceSceneJson]);
        var targetJson = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema[WorldColumns.TargetSceneJson]);
        var type = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema[WorldColumns.EditType]);
        MLImage? image = null;
        ReadOnlyMemory<char> text = default;
        while (cursor.MoveNext())
        {
            var expected = WorldRows.Edit(5, cursor.Position, WorldSplit.Eval);
            target(ref image!);
            MLImageInterop.ToRgbImage(image).Pixels.Should().Equal(SceneRenderer.Render(expected.Target).Pixels);
            sourceJson(ref text);
            Scene.FromJson(text.ToString()).Should().Be(expected.Source);
            targetJson(ref text);
            Scene.FromJson(text.ToString()).Should().Be(expected.Target);
            type(ref text);
            Enum.Parse<EditType>(text.ToString()).Should().Be(expected.EditType);
        }
        image?.Dispose();
    }

    [Fact]
    public void Text_to_image_rows_pair_an_image_with_its_caption()
    {
        var view = WorldDataViews.TextToImageRows(null, 3, seed: 1);
        view.Schema.Select(c => c.Name).Should().Equal(WorldColumns.Image, WorldColumns.Caption, WorldColumns.SceneJson);
        var captions = view.GetColumn<string>(WorldColumns.Caption).ToArray();
        captions.Should().Equal(Enumerable.Range(0, 3).Select(i => WorldRows.Caption(1, i, WorldSplit.Train).Caption));
        view.GetColumn<string>(WorldColumns.SceneJson).Select(Scene.FromJson).Select(s => s.ToJson())
            .Should().Equal(Enumerable.Range(0, 3).Select(i => WorldRows.Caption(1, i, WorldSplit.Train).Scene.ToJson()));
    }

    [Fact]
    public void An_object_curriculum_starts_with_single_objects_and_ends_with_the_plain_rows()
    {
        var captions = WorldDataViews.TextToImageRows(null, 60, seed: 1, objectCurriculumRows: 10).GetColumn<string>(WorldColumns.Caption).ToArray();
        for (int i = 0; i < 60; i++)
        {
            int max = Math.Min(3, 1 + i / 10);
            var row = WorldRows.Caption(1, i, WorldSplit.Train, max);
            captions[i].Should().Be(row.Caption, $"row {i} draws at most {max} objects");
            row.Scene.Objects.Count.Should().BeLessThanOrEqualTo(max);
            if (i >= 20) captions[i].Should().Be(WorldRows.Caption(1, i, WorldSplit.Train).Caption, "from row 2N on the rows are the plain ones");
        }
        Enumerable.Range(10, 10).Should().Contain(i => WorldRows.Caption(1, i, WorldSplit.Train, 2).Scene.Objects.Count == 2);
        var bad = () => WorldDataViews.TextToImageRows(null, 5, objectCurriculumRows: -1);
        bad.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Judge_rows_hold_one_or_two_images_and_balanced_answers()
    {
        var view = WorldDataViews.JudgeRows(null, 400, seed: 6);
        view.Schema.Select(c => c.Name).Should().Equal(WorldColumns.Image, WorldColumns.SecondImage, WorldColumns.ImageCount,
            WorldColumns.Question, WorldColumns.Answer, WorldColumns.Kind, WorldColumns.SceneJson, WorldColumns.SecondSceneJson);
        var counts = view.GetColumn<int>(WorldColumns.ImageCount).ToArray();
        var secondScenes = view.GetColumn<string>(WorldColumns.SecondSceneJson).ToArray();
        secondScenes.Select(s => s.Length > 0 ? 2 : 1).Should().Equal(counts, "a second scene is given exactly when there is a second image");
        var answers = view.GetColumn<bool>(WorldColumns.Answer).ToArray();
        var kinds = view.GetColumn<string>(WorldColumns.Kind).ToArray();
        counts.Should().OnlyContain(c => c == 1 || c == 2).And.Contain(1).And.Contain(2);
        (answers.Count(a => a) / (double)answers.Length).Should().BeInRange(0.42, 0.58);
        kinds.Should().OnlyContain(k => QuestionKinds.General.Contains(k) || QuestionKinds.NpEdit.Contains(k));
        kinds.Count(k => QuestionKinds.NpEdit.Contains(k)).Should().BeInRange(150, 250);

        using var cursor = view.GetRowCursor(view.Schema);
        var second = cursor.GetGetter<MLImage>(view.Schema[WorldColumns.SecondImage]);
        var count = cursor.GetGetter<int>(view.Schema[WorldColumns.ImageCount]);
        MLImage? image = null;
        int n = 0;
        while (cursor.MoveNext() && cursor.Position < 50)
        {
            count(ref n);
            second(ref image!);
            if (n == 1) MLImageInterop.ToRgbImage(image).Pixels.All(b => b == 0).Should().BeTrue();
        }
        image?.Dispose();
    }

    private static string[] Instructions(IDataView view) => view.GetColumn<string>(WorldColumns.Instruction).ToArray();
}
