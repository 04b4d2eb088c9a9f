using Microsoft.ML;
using Microsoft.ML.Data;
using NpEdit.Trainers.Training;

namespace NpEdit.Trainers.Tests.Training;

public sealed class RowStreamTests
{
    private sealed class Item
    {
        public string Kind { get; set; } = "";
        public int Value { get; set; }
    }

    private sealed class Counter
    {
        public int Count;
    }

    private static IDataView Data(params (string Kind, int Value)[] rows) =>
        new MLContext(seed: 0).Data.LoadFromEnumerable(rows.Select(r => new Item { Kind = r.Kind, Value = r.Value }));

    // Binds Value, counting how many rows had it read.
    private static RowStream<int> Stream(IDataView data, Counter reads, bool withKey = true) => new(
        data,
        new[] { "Kind", "Value" },
        row =>
        {
            var value = row.GetGetter<int>(row.Schema["Value"]);
            return () =>
            {
                reads.Count++;
                int v = 0;
                value(ref v);
                return v;
            };
        },
        withKey ? row =>
        {
            var kind = row.GetGetter<ReadOnlyMemory<char>>(row.Schema["Kind"]);
            return () =>
            {
                ReadOnlyMemory<char> k = default;
                kind(ref k);
                return k.ToString();
            };
        } : null);

    [Fact]
    public void Rows_are_read_in_order_and_wrap_around()
    {
        var reads = new Counter();
        using var stream = Stream(Data(("a", 1), ("b", 2), ("a", 3)), reads);
        stream.Next(2).Should().Equal(1, 2);
        stream.Next(2).Should().Equal(3, 1);
        stream.Consumed.Should().Be(4);
    }

    [Fact]
    public void A_key_filter_reads_only_the_accepted_rows_and_consumes_the_rest()
    {
        var reads = new Counter();
        using var stream = Stream(Data(("a", 1), ("b", 2), ("b", 3), ("a", 4), ("b", 5)), reads);
        stream.Next(2, k => k == "a").Should().Equal(1, 4);
        reads.Count.Should().Be(2, "the rows of kind b were passed over without reading their values");
        stream.Consumed.Should().Be(4, "a resumed run must see the same rows, so passed-over rows count as consumed");
        stream.Next(1).Should().Equal(5);
    }

    [Fact]
    public void A_key_no_row_has_is_an_error_not_an_endless_loop()
    {
        using var stream = Stream(Data(("a", 1), ("b", 2)), new Counter());
        var act = () => stream.Next(1, k => k == "c");
        act.Should().Throw<InvalidOperationException>().WithMessage("*accepted key (the last was 'a')*kind weights*");
    }

    [Fact]
    public void Filtering_needs_a_key()
    {
        using var stream = Stream(Data(("a", 1)), new Counter(), withKey: false);
        var act = () => stream.Next(1, k => true);
        act.Should().Throw<InvalidOperationException>().WithMessage("*without a key*");
    }
}
