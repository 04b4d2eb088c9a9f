using FluentAssertions;
using NpEdit.Trainers.Benchmarks;
using Xunit;

namespace NpEdit.Trainers.Tests.Benchmarks;

public sealed class LossCsvTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "npedit-losscsv-" + Guid.NewGuid().ToString("N"));

    private static List<(long Step, IReadOnlyDictionary<string, double> Losses)> History(long from, long to, string term, double scale) =>
        Enumerable.Range((int)from, (int)(to - from + 1))
            .Select(s => ((long)s, (IReadOnlyDictionary<string, double>)new Dictionary<string, double> { [term] = s * scale }))
            .ToList();

    [Fact]
    public void A_resumed_history_is_appended_to_the_earlier_rows_of_the_same_run()
    {
        string path = Path.Combine(_folder, "losses.csv");
        LossCsv.Write(History(1, 3, "flow", 0.5), path);
        // A resume from step 2's checkpoint reports steps 3.. again: the earlier file's step 3 gives way to the new one.
        LossCsv.Write(History(3, 5, "dmd", 2.0), path);

        var (steps, terms) = LossCsv.Read(path);
        steps.Should().Equal(1, 2, 3, 4, 5);
        terms["flow"][..2].Should().Equal(0.5, 1.0);
        terms["flow"][2..].Should().OnlyContain(v => double.IsNaN(v));
        terms["dmd"][2..].Should().Equal(6.0, 8.0, 10.0);
    }

    [Fact]
    public void A_fresh_history_replaces_the_file_and_an_empty_one_leaves_it()
    {
        string path = Path.Combine(_folder, "losses.csv");
        LossCsv.Write(History(1, 4, "flow", 1.0), path);
        LossCsv.Write(Array.Empty<(long, IReadOnlyDictionary<string, double>)>(), path);
        LossCsv.Read(path).Steps.Should().HaveCount(4);

        LossCsv.Write(History(1, 2, "flow", 3.0), path);
        var (steps, terms) = LossCsv.Read(path);
        steps.Should().Equal(1, 2);
        terms["flow"].Should().Equal(3.0, 6.0);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
