using NpEdit.Trainers.DefaultWorld;
using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms;
using NpEdit.Transforms.IO;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using NpEdit.Transforms.Sampling;

namespace NpEdit.Trainers.Tests.TextToImage;

/// <summary>The prior committed under <c>models/shapes-prior</c>: what the trainer, the editor and the docs rely on.</summary>
public sealed class ShippedPriorTests
{
    public ShippedPriorTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void The_shipped_prior_loads_strictly_with_its_hash_config_and_reproducing_command()
    {
        string folder = ShippedModels.PriorFolder;
        var manifest = FlowModelStore.ReadManifest(folder);
        manifest.WeightsSha256.Should().Be(Sha256.OfFile(Path.Combine(folder, manifest.WeightsFile)));
        manifest.Training!.Command.Should().Contain("prior train");
        manifest.Metrics.Should().ContainKeys("attribute_accuracy", "exact_match");

        using var model = FlowModelStore.Load(folder);
        Json.Serialize(model.Config).Should().Be(Json.Serialize(ShapesDefaults.PriorConfig()),
            "the shipped prior is the default world's prior configuration and vocabulary");
        model.state_dict().Keys.Should().Contain(k => k.EndsWith("pos_embed"));
    }

    [Fact]
    public void A_copy_with_one_changed_byte_is_refused()
    {
        string copy = Directory.CreateTempSubdirectory("npedit-prior-copy-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(ShippedModels.PriorFolder)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            string weights = Path.Combine(copy, "model.safetensors");
            var bytes = File.ReadAllBytes(weights);
            bytes[^1] ^= 0x01;
            File.WriteAllBytes(weights, bytes);
            var act = () => FlowModelStore.Load(copy);
            act.Should().Throw<InvalidDataException>().WithMessage("*SHA-256*does not match the manifest*");
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public void The_shipped_prior_paints_the_background_its_captions_ask_for()
    {
        using var prior = TextToImageTransformer.Load(ShippedModels.PriorFolder);
        var rows = Enumerable.Range(0, 16).Select(i => WorldRows.Caption(5, i, WorldSplit.Eval)).ToList();
        var images = prior.Generate(rows.Select(r => r.Caption).ToList(), seed: 5, new SamplerOptions { Steps = 8, GuidanceScale = 3.0 });
        int right = images.Zip(rows, (image, row) => SceneParser.Parse(image).Background == row.Scene.Background).Count(ok => ok);
        right.Should().BeGreaterThanOrEqualTo(14, "the background is the first thing a prior learns; a broken load paints noise");
    }

    [Fact]
    public void Inside_a_checkout_the_repository_models_win_over_the_builds_copy()
    {
        // The test runs from its bin folder, inside the checkout; the build's copy under bin must not shadow models/.
        string repository = RepositoryRoot();
        File.Exists(Path.Combine(repository, "NpEdit.MLNet.sln")).Should().BeTrue();
        Path.GetFullPath(ShippedModels.PriorFolder).Should().Be(Path.Combine(repository, "models", "shapes-prior"));
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));
}
