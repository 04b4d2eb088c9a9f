using NpEdit.Transforms.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Evaluation;

/// <summary>
/// Realism without an oracle and without any of this project's models: the Fréchet distance between ResNet18
/// features of an editor's outputs and of real renders (the ground-truth targets of the same rows), with a bootstrap
/// interval over rows. Lower is better; 0 means the feature statistics match.
/// </summary>
public static class RealismScore
{
    public static Estimate Compute(float[] outputFeatures, float[] realFeatures, int resamples = 200, int seed = 23)
    {
        int n = outputFeatures.Length / 512;
        if (realFeatures.Length / 512 != n) throw new ArgumentException("Outputs and real renders must be paired row by row.");
        using var scope = NewDisposeScope();
        var outputs = torch.tensor(outputFeatures, dtype: ScalarType.Float32).view(n, 512).to(ScalarType.Float64);
        var reals = torch.tensor(realFeatures, dtype: ScalarType.Float32).view(n, 512).to(ScalarType.Float64);
        return Bootstrap.Statistic(n, index =>
        {
            using var inner = NewDisposeScope();
            var idx = torch.tensor(index.Select(i => (long)i).ToArray());
            return FrechetDistance.Compute(outputs.index_select(0, idx), reals.index_select(0, idx));
        }, resamples, seed);
    }

    public static Estimate Compute(ResNetFeaturizer featurizer, IReadOnlyList<RgbImage> outputs, IReadOnlyList<RgbImage> reals, int resamples = 200) =>
        Compute(featurizer.Features(outputs), featurizer.Features(reals), resamples);
}
