using NpEdit.Trainers.Training;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Training;

public sealed class ExponentialMovingAverageTests
{
    public ExponentialMovingAverageTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Tracks_decay_times_shadow_plus_the_rest_times_weights()
    {
        using var module = nn.Linear(1, 1, hasBias: false);
        using (no_grad()) module.weight!.FillInPlace(1.0);
        using var ema = new ExponentialMovingAverage(module, decay: 0.9);
        using (no_grad()) module.weight!.FillInPlace(3.0);
        ema.Update(module);
        ema.Shadow["weight"].item<float>().Should().BeApproximately(0.9f * 1 + 0.1f * 3, 1e-6f);
        ema.Update(module);
        ema.Shadow["weight"].item<float>().Should().BeApproximately(0.9f * 1.2f + 0.1f * 3, 1e-6f);
        ema.CopyTo(module);
        module.weight!.item<float>().Should().BeApproximately(1.38f, 1e-6f);
    }

    [Fact]
    public void Warm_up_decay_follows_the_weights_early()
    {
        using var module = nn.Linear(1, 1, hasBias: false);
        using (no_grad()) module.weight!.FillInPlace(0.0);
        using var ema = new ExponentialMovingAverage(module, decay: 0.999);
        using (no_grad()) module.weight!.FillInPlace(1.0);
        ema.Update(module, step: 1);
        ema.Shadow["weight"].item<float>().Should().BeApproximately(1 - 2f / 11f, 1e-6f, "decay is (1 + 1) / (10 + 1) at step 1");
    }
}
