using Microsoft.ML;
using Microsoft.ML.Data;

namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// A lazy <see cref="IDataView"/> over generated rows: row <c>i</c> is made by <c>generate(i)</c> only when a
/// cursor at position <c>i</c> first reads a column, and only the current row is kept. Moving a cursor costs
/// nothing, so a billion-row view opens instantly and memory stays flat however many rows are read.
/// Rows must be a pure function of their index (see <see cref="WorldSeeds"/>), which also makes every cursor agree.
/// </summary>
internal sealed class GeneratedDataView<TRow> : IDataView where TRow : class
{
    private readonly long _count;
    private readonly Func<long, TRow> _generate;
    private readonly IReadOnlyList<GeneratedColumn<TRow>> _columns;
    private long _rowsGenerated;

    public GeneratedDataView(long count, Func<long, TRow> generate, IReadOnlyList<GeneratedColumn<TRow>> columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _count = count;
        _generate = generate;
        _columns = columns;
        var builder = new DataViewSchema.Builder();
        foreach (var column in columns) builder.AddColumn(column.Name, column.Type);
        Schema = builder.ToSchema();
    }

    public DataViewSchema Schema { get; }

    // Rows are independent draws already; a random order would add nothing but bookkeeping.
    public bool CanShuffle => false;

    /// <summary>How many rows this view has generated so far, over all cursors (for tests of laziness).</summary>
    internal long RowsGenerated => Interlocked.Read(ref _rowsGenerated);

    public long? GetRowCount() => _count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private TRow Generate(long index)
    {
        Interlocked.Increment(ref _rowsGenerated);
        return _generate(index);
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly GeneratedDataView<TRow> _view;
        private readonly Delegate[] _getters;
        private long _position = -1;
        private TRow? _row;

        public Cursor(GeneratedDataView<TRow> view)
        {
            _view = view;
            _getters = view._columns.Select(c => c.MakeGetter(Current)).ToArray();
        }

        public override DataViewSchema Schema => _view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            _row = null;
            if (_position >= _view._count) return false;
            _position++;
            return _position < _view._count;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < 0 || column.Index >= _getters.Length || _view.Schema[column.Index].Name != column.Name)
            {
                throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' is not in this view.");
            }
            return _getters[column.Index] as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; it cannot be read as {typeof(TValue).Name}.");
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        private TRow Current()
        {
            if (_position < 0 || _position >= _view._count) throw new InvalidOperationException("The cursor is not on a row; call MoveNext first.");
            return _row ??= _view.Generate(_position);
        }
    }
}
