using FluentAssertions;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Transforms.Tests.Models;

public sealed class SinCosPositionsTests
{
    [Fact]
    public void Every_position_gets_its_own_unit_amplitude_row()
    {
        TorchRuntime.EnsureInitialized();
        using var table = SinCosPositions.Table(grid: 8, hidden: 32);
        table.shape.Should().Equal(64, 32);
        var values = table.data<float>().ToArray();
        values.Should().OnlyContain(v => v >= -1f && v <= 1f);
        // Row 0 (top-left): sin 0 = 0 in the sine quarters, cos 0 = 1 in the cosine quarters.
        values.Take(8).Should().OnlyContain(v => v == 0f);
        values.Skip(8).Take(8).Should().OnlyContain(v => v == 1f);
        var rows = Enumerable.Range(0, 64).Select(i => string.Join(",", values.Skip(i * 32).Take(32).Select(v => v.ToString("F4")))).ToList();
        rows.Distinct().Should().HaveCount(64);
        var act = () => SinCosPositions.Table(grid: 4, hidden: 30);
        act.Should().Throw<ArgumentException>().WithMessage("*multiple of 4*");
    }
}
