using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.IO;
using TorchSharp;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class ShippedJudgeTests
{
    [Fact]
    public void The_shipped_judge_loads_strictly_with_its_hash_config_and_tokenizer()
    {
        string folder = ShippedFolder();
        var manifest = JudgeStore.ReadManifest(folder);
        manifest.WeightsSha256.Should().Be(Sha256.OfFile(Path.Combine(folder, manifest.WeightsFile)));
        manifest.Training!.Command.Should().Contain("judge train");

        using var judge = JudgeTransformer.Load(folder);
        var tokenizer = ShapesJudge.CreateTokenizer();
        judge.Tokenizer.Compact!.BaseIds.Should().Equal(tokenizer.Compact!.BaseIds, "the shipped vocabulary is the one the world's tokenizer builds");
        judge.Model.Config.ToJson().Should().Be(ShapesJudge.CreateConfig(tokenizer).ToJson());
        judge.Model.state_dict().Keys.Should().Contain("vision_tower.vision_model.embeddings.patch_embedding.weight")
            .And.Contain("language_model.model.embed_tokens.weight").And.Contain("image_newline");
    }

    [Fact]
    public void The_shipped_judge_tells_a_background_colour_from_another()
    {
        using var judge = JudgeTransformer.Load(ShippedFolder());
        var rng = new Random(11);
        var questions = Enumerable.Range(0, 24).Select(_ => QuestionGenerator.Sample(rng, WorldSplit.Eval, QuestionKinds.Background)).ToList();
        var p = judge.ProbabilityYes(questions.Select(q => ((IReadOnlyList<NpEdit.Transforms.Imaging.RgbImage>)q.Images.Select(s => SceneRenderer.Render(s)).ToList(), q.Question)).ToList());
        questions.Select((q, i) => (p[i] > 0.5f) == q.Answer).Count(ok => ok).Should().BeGreaterThanOrEqualTo(20);
    }

    [Fact]
    public void Shuffling_the_images_costs_a_judge_the_questions_it_answers_from_the_image()
    {
        // The shipped judge reads backgrounds from the image and little else: asked of another row's image, its
        // background answers fall to chance, so the shuffled accuracy must sit below the real one.
        using var judge = JudgeTransformer.Load(ShippedFolder());
        var metrics = JudgeEvaluation.Evaluate(judge, count: 80, seed: 3);
        metrics.ShuffledImageAccuracy.Should().BeInRange(0, 1);
        metrics.ShuffledImageAccuracy.Should().BeLessThan(metrics.SingleImageAccuracy);
        metrics.ByKind.Keys.Should().Contain(QuestionKinds.Background);
        metrics.ByKind[QuestionKinds.Background].Should().BeGreaterThan(0.9);
        // Questions that hold nothing training left out: the shipped judge answers 0.997 of them on 1000 rows.
        metrics.Seen.SingleImage.Should().BeGreaterThan(0.9);
        new[] { metrics.Seen.TwoImage, metrics.Seen.TemplateAccept, metrics.Seen.TemplateReject }.Should().OnlyContain(a => a >= 0 && a <= 1);
    }

    internal static string ShippedFolder([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", ShapesJudge.DefaultFolder));
}
