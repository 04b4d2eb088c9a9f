using NpEdit.Trainers.Training;

namespace NpEdit.Trainers.Tests.Training;

public sealed class TimeShiftScheduleTests
{
    [Fact]
    public void Starts_and_ends_at_the_given_shifts_and_moves_geometrically_between()
    {
        var schedule = new TimeShiftSchedule(4.0, 1.0, TotalSteps: 101);
        schedule.At(0).Should().Be(4.0);
        schedule.At(100).Should().BeApproximately(1.0, 1e-12);
        schedule.At(50).Should().BeApproximately(2.0, 1e-12, "halfway in log space between 4 and 1");
        schedule.At(25).Should().BeApproximately(Math.Sqrt(8.0), 1e-12);
    }

    [Fact]
    public void Is_monotone_and_stays_at_the_end_past_the_last_step()
    {
        var schedule = new TimeShiftSchedule(3.0, 1.0, TotalSteps: 40);
        var values = Enumerable.Range(0, 40).Select(s => schedule.At(s)).ToList();
        values.Should().BeInDescendingOrder();
        schedule.At(1000).Should().BeApproximately(1.0, 1e-12);
    }

    [Fact]
    public void Equal_shifts_are_constant()
    {
        var schedule = new TimeShiftSchedule(3.0, 3.0, TotalSteps: 10);
        Enumerable.Range(0, 10).Select(s => schedule.At(s)).Should().OnlyContain(v => v == 3.0);
    }
}
