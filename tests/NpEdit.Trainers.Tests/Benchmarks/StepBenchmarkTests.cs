using NpEdit.Trainers.Benchmarks;
using NpEdit.Transforms.IO;
using NpEdit.Transforms.Models;

namespace NpEdit.Trainers.Tests.Benchmarks;

public sealed class StepBenchmarkTests
{
    [Fact]
    public void Median_takes_the_middle_value_or_the_mean_of_the_two_middle_values()
    {
        StepBenchmark.Median(new[] { 3.0, 1.0, 2.0 }).Should().Be(2.0);
        StepBenchmark.Median(new[] { 4.0, 1.0, 3.0, 2.0 }).Should().Be(2.5);
        var act = () => StepBenchmark.Median(Array.Empty<double>());
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Each_round_pairs_its_steps_with_its_own_peak_and_the_median_ratio_is_reported()
    {
        var config = FlowModelPresets.Tiny(FlowModelPresets.PlaceholderVocabulary);
        var result = StepBenchmark.Run(config, batchSize: 2, warmup: 1, steps: 2, rounds: 3);

        result.Rounds.Should().Be(3);
        result.Mfu.Should().BeGreaterThan(0).And.BeInRange(result.MfuMin, result.MfuMax);
        result.MsPerStep.Should().BeGreaterThan(0);
        result.StepGflop.Should().BeApproximately(FlopCounter.TrainingStep(config, 2) / 1e9, 1e-12);
        result.AchievedGflops.Should().BeApproximately(result.StepGflop / (result.MsPerStep / 1000.0), 1e-9);
        Json.Serialize(result).Should().Contain("\"mfu\"").And.Contain("\"ms_per_step\"").And.Contain("\"peak_memory_mb\"")
            .And.Contain("\"mfu_min\"").And.Contain("\"mfu_max\"");

        var noRounds = () => StepBenchmark.Run(config, batchSize: 2, rounds: 0);
        noRounds.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*round*");
    }
}
