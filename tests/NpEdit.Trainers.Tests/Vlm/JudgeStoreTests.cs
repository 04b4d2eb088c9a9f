using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class JudgeStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "judge-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void A_saved_judge_loads_back_with_the_same_weights_tokenizer_and_answers()
    {
        using var model = TestVlms.ModelForTokenizer(seed: 3);
        using var original = new JudgeTransformer(model, TestVlms.Tokenizer);
        original.Save(_folder, new TrainingRecord { Command = "test", Seed = 3 }, new Dictionary<string, double> { ["acc"] = 0.5 });
        using var loaded = JudgeTransformer.Load(_folder);

        loaded.Tokenizer.Compact!.BaseIds.Should().Equal(TestVlms.Tokenizer.Compact!.BaseIds);
        loaded.Model.Config.ToJson().Should().Be(model.Config.ToJson());
        (IReadOnlyList<NpEdit.Transforms.Imaging.RgbImage> Images, string Question) item = (new[] { NpEdit.Transforms.Imaging.RgbImage.Filled(8, 8, 10, 20, 200) }, "Is the square blue?");
        loaded.ProbabilityYes(new[] { item }).Should().Equal(original.ProbabilityYes(new[] { item }));
        JudgeStore.ReadManifest(_folder).Metrics["acc"].Should().Be(0.5);
    }

    [Fact]
    public void A_saved_judge_scores_with_the_image_position_it_was_saved_with()
    {
        var baseTokenizer = TestVlms.Tokenizer;
        var after = new VlmTokenizer(baseTokenizer.Base, baseTokenizer.BaseName, baseTokenizer.Compact, imagePosition: ImagePosition.AfterText);
        using var model = TestVlms.ModelForTokenizer(seed: 4);
        using var original = new JudgeTransformer(model, after);
        original.Save(_folder, new TrainingRecord { Command = "test", Seed = 4 }, new Dictionary<string, double>());
        File.ReadAllText(Path.Combine(_folder, "manifest.json")).Should().Contain("\"image_position\": \"after_text\"");

        using var loaded = JudgeTransformer.Load(_folder);
        loaded.Tokenizer.ImagePosition.Should().Be(ImagePosition.AfterText);
        (IReadOnlyList<NpEdit.Transforms.Imaging.RgbImage> Images, string Question) item = (new[] { NpEdit.Transforms.Imaging.RgbImage.Filled(8, 8, 10, 20, 200) }, "Is the square blue?");
        loaded.ProbabilityYes(new[] { item }).Should().Equal(original.ProbabilityYes(new[] { item }));
    }

    [Fact]
    public void Weights_that_do_not_match_the_manifest_hash_are_refused()
    {
        using var model = TestVlms.ModelForTokenizer();
        JudgeStore.Save(model, TestVlms.Tokenizer, _folder);
        var weights = Path.Combine(_folder, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0x5A;
        File.WriteAllBytes(weights, bytes);
        var act = () => JudgeStore.Load(_folder);
        act.Should().Throw<InvalidDataException>().WithMessage("*SHA-256*does not match*");
    }

    [Fact]
    public void A_config_that_disagrees_with_the_weights_is_refused_tensor_by_tensor()
    {
        using var model = TestVlms.ModelForTokenizer();
        JudgeStore.Save(model, TestVlms.Tokenizer, _folder);
        string manifestPath = Path.Combine(_folder, "manifest.json");
        var text = File.ReadAllText(manifestPath).Replace("\"intermediate_size\": 32", "\"intermediate_size\": 48");
        File.WriteAllText(manifestPath, text);
        var act = () => JudgeStore.Load(_folder);
        act.Should().Throw<WeightsFormatException>().WithMessage("*mlp*shape*");
    }
}
