using NpEdit.Trainers.Losses;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Losses;

public sealed class ForegroundWeightsTests
{
    public ForegroundWeightsTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Pixels_unlike_the_backdrop_weigh_one_plus_w_and_the_backdrop_one()
    {
        // Image 0: a gray backdrop with a 3x3 red square; image 1: a white backdrop with a faint mark below the threshold.
        using var x0 = torch.zeros(2, 3, 8, 8);
        using (no_grad())
        {
            x0[0, 0, TensorIndex.Slice(2, 5), TensorIndex.Slice(2, 5)] = torch.tensor(0.9f);
            x0[1] = torch.tensor(1.0f);
            x0[1, 2, 0, 0] = torch.tensor(0.95f);
        }
        using var weights = ForegroundWeights.Of(x0, 4.0);
        weights.shape.Should().Equal(2, 1, 8, 8);
        weights[0, 0, 3, 3].item<float>().Should().Be(5f);
        weights[0, 0, 0, 0].item<float>().Should().Be(1f);
        weights[0].sum().item<float>().Should().Be(64 + 9 * 4);
        weights[1].Eq(1L).all().item<bool>().Should().BeTrue("a difference under the threshold is backdrop");
        using var none = ForegroundWeights.Of(x0, 0.0);
        none.Eq(1L).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Weighted_flow_loss_is_the_weighted_mean_and_equals_the_plain_loss_under_unit_weights()
    {
        var vocabulary = TextTokenizer.BuildVocabulary(new[] { "a red square" });
        torch.manual_seed(3);
        using var model = new FlowModel(FlowModelPresets.Tiny(vocabulary));
        using (no_grad()) foreach (var (name, p) in model.named_parameters()) if (name.Contains("proj_out") || name.Contains("modulation")) p.normal_(0, 0.05);
        using var text = model.EncodeText(new[] { "a red square", "" });
        var g = new torch.Generator(4);
        using var x0 = torch.rand(2, 3, 16, 16, generator: g);
        using var noise = torch.randn(2, 3, 16, 16, generator: g);
        using var t = torch.tensor(new[] { 0.7f, 0.2f });
        using var plain = FlowMatchingLoss.Compute(model, x0, text, t, noise);
        using var ones = torch.ones(2, 1, 16, 16);
        using var unit = FlowMatchingLoss.Compute(model, x0, text, t, noise, pixelWeights: ones);
        unit.item<float>().Should().BeApproximately(plain.item<float>(), 1e-6f);

        // Weight only the first image: the loss becomes that image's own mean squared error.
        using var first = torch.cat(new[] { torch.ones(1, 1, 16, 16), torch.zeros(1, 1, 16, 16) }, 0);
        using var onlyFirst = FlowMatchingLoss.Compute(model, x0, text, t, noise, pixelWeights: first);
        using var tb = t.view(-1, 1, 1, 1);
        using var noisy = x0.mul(tb.SubtractedFrom(1)).Add(noise.mul(tb));
        using var v = model.Velocity(noisy, t, text);
        using var expected = v[0].sub(noise[0].sub(x0[0])).Pow(2).mean();
        onlyFirst.item<float>().Should().BeApproximately(expected.item<float>(), 1e-6f);
    }
}
