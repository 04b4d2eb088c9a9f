using NpEdit.Trainers.Training;

namespace NpEdit.Trainers.Tests.Training;

public sealed class ProgressTrackerTests
{
    [Fact]
    public void Losses_are_smoothed_and_a_term_that_stopped_is_no_longer_shown()
    {
        var tracker = new ProgressTracker("run", firstStep: 0, totalSteps: 3, logger: null, progress: null);
        tracker.Report(1, new Dictionary<string, double> { ["copy"] = 1.0, ["lr"] = 0.5 }, skipped: 0);
        var second = tracker.Report(2, new Dictionary<string, double> { ["copy"] = 2.0, ["lr"] = 0.25 }, skipped: 0);
        second.Losses["copy"].Should().BeApproximately(1.1, 1e-12, "losses are an exponential moving average");
        second.Losses["lr"].Should().Be(0.25, "schedule values are shown as they are");

        var third = tracker.Report(3, new Dictionary<string, double> { ["vlm"] = 0.7, ["lr"] = 0.1 }, skipped: 0);
        third.Losses.Keys.Should().BeEquivalentTo("vlm", "lr");
        tracker.History.Should().HaveCount(3);
    }
}
