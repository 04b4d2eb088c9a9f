using NpEdit.Trainers.Evaluation;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Evaluation;

public sealed class MetricTests
{
    public MetricTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Frechet_distance_of_known_gaussians_matches_the_closed_form()
    {
        // Means differ by (1, 2, 0); covariances diag(1, 4, 9) and diag(4, 1, 9):
        // |dmu|^2 = 5; Tr = 14 + 14 - 2 * (sqrt(4) + sqrt(4) + sqrt(81)) = 28 - 26 = 2. Total 7.
        using var mu1 = torch.tensor(new[] { 0.0, 0.0, 0.0 });
        using var mu2 = torch.tensor(new[] { 1.0, 2.0, 0.0 });
        using var s1 = torch.diag(torch.tensor(new[] { 1.0, 4.0, 9.0 }));
        using var s2 = torch.diag(torch.tensor(new[] { 4.0, 1.0, 9.0 }));
        FrechetDistance.FromMoments(mu1, s1, mu2, s2).Should().BeApproximately(7.0, 1e-9);
        FrechetDistance.FromMoments(mu1, s1, mu1, s1).Should().BeApproximately(0.0, 1e-9);
    }

    [Fact]
    public void Frechet_distance_of_samples_converges_to_the_closed_form_for_non_diagonal_covariances()
    {
        using var generator = new Generator(5);
        var rotation = torch.tensor(new[] { 0.6, -0.8, 0.8, 0.6 }).view(2, 2);
        var a = torch.randn(new long[] { 20000, 2 }, dtype: ScalarType.Float64, generator: generator).matmul(torch.diag(torch.tensor(new[] { 1.0, 3.0 })).matmul(rotation));
        var b = torch.randn(new long[] { 20000, 2 }, dtype: ScalarType.Float64, generator: generator).Mul(2).Add(torch.tensor(new[] { 1.0, 0.0 }));
        // Σa = Rᵀ diag(1, 9) R, Σb = 4I: Tr(Σa) = 10, Tr(Σb) = 8, Tr((Σa Σb)^½) = 2·(1 + 3) = 8; |Δμ|² = 1. FD = 1 + 18 − 16 = 3.
        FrechetDistance.Compute(a, b).Should().BeApproximately(3.0, 0.15);
    }

    [Fact]
    public void Bootstrap_interval_brackets_the_mean_and_narrows_with_more_rows()
    {
        var rng = new Random(1);
        var small = Enumerable.Range(0, 100).Select(_ => rng.NextDouble() < 0.7 ? 1.0 : 0.0).ToList();
        var large = Enumerable.Range(0, 2000).Select(_ => rng.NextDouble() < 0.7 ? 1.0 : 0.0).ToList();
        var s = Bootstrap.Mean(small);
        var l = Bootstrap.Mean(large);
        s.Low.Should().BeLessThan(s.Value);
        s.High.Should().BeGreaterThan(s.Value);
        (l.High - l.Low).Should().BeLessThan(s.High - s.Low);
        l.Value.Should().BeApproximately(0.7, 0.04);
        Bootstrap.Mean(small).Should().Be(s, "the bootstrap is seeded");
        new Estimate(0.5, 0.4, 0.6).Overlaps(new Estimate(0.7, 0.61, 0.8)).Should().BeFalse();
        new Estimate(0.5, 0.4, 0.6).Overlaps(new Estimate(0.7, 0.55, 0.8)).Should().BeTrue();
    }

    [Fact]
    public void Statistic_interval_contains_the_estimate_of_a_statistic_that_resampling_biases()
    {
        // Distinct rows in a resample with replacement average about 63 % of the rows: every resampled value lies far
        // below the full-sample value, as resampled Fréchet distances lie above theirs. A percentile interval would
        // exclude the estimate; the basic interval must not.
        var estimate = Bootstrap.Statistic(200, index => index.Distinct().Count());
        estimate.Value.Should().Be(200);
        estimate.Low.Should().BeLessThan(estimate.Value);
        estimate.High.Should().BeGreaterThan(estimate.Value);
        Bootstrap.Statistic(200, index => index.Distinct().Count()).Should().Be(estimate, "the bootstrap is seeded");
    }
}
