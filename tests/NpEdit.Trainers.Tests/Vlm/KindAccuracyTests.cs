using NpEdit.Trainers.Vlm;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class KindAccuracyTests
{
    [Fact]
    public void Accuracy_is_counted_per_kind_over_a_window_that_restarts_when_drained()
    {
        var accuracy = new KindAccuracy();
        accuracy.Add(new[] { "presence", "color", "presence", "" }, new[] { true, false, false, true });
        accuracy.Add(new[] { "color" }, new[] { true });
        accuracy.Drain().Should().Be("color=0.50 presence=0.50", "rows without a kind are not counted");
        accuracy.Drain().Should().BeEmpty();
        var mismatch = () => accuracy.Add(new[] { "color" }, new[] { true, false });
        mismatch.Should().Throw<ArgumentException>();
    }
}
