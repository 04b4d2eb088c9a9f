using Microsoft.ML;
using Microsoft.ML.Data;

namespace NpEdit.Trainers.Training;

/// <summary>
/// Reads training rows from an IDataView in order, wrapping around at the end, so that step k of a run always sees
/// rows [k·B, (k+1)·B) mod N. Skipping to a row (for resume) moves the cursor without reading values. A row that
/// fails to read (a corrupt image, say) is skipped and counted, never fatal. An optional key (a cheap text column,
/// such as the question kind) lets a caller take only some rows without reading the others' images or JSON.
/// </summary>
public sealed class RowStream<TRow> : IDisposable
{
    private readonly IDataView _data;
    private readonly IReadOnlyList<DataViewSchema.Column> _columns;
    private readonly Func<DataViewRow, Func<TRow>> _bind;
    private readonly Func<DataViewRow, Func<string>>? _bindKey;
    private DataViewRowCursor? _cursor;
    private Func<TRow>? _read;
    private Func<string>? _key;
    private long _rowsInPass;

    /// <param name="bindKey">Binds the key that <see cref="Next(int, Func{string, bool})"/> filters on; its column must be
    /// among <paramref name="columns"/>.</param>
    public RowStream(IDataView data, IEnumerable<string> columns, Func<DataViewRow, Func<TRow>> bind, Func<DataViewRow, Func<string>>? bindKey = null)
    {
        _data = data;
        _columns = columns.Select(c => data.Schema[c]).ToList();
        _bind = bind;
        _bindKey = bindKey;
    }

    /// <summary>Rows that failed to read, with their position and error.</summary>
    public List<(long Position, string Error)> Failures { get; } = new();

    /// <summary>Rows consumed so far (including failed ones), across wrap-arounds.</summary>
    public long Consumed { get; private set; }

    /// <summary>Advances to absolute row index <paramref name="consumed"/> without reading values.</summary>
    public void SkipTo(long consumed)
    {
        while (Consumed < consumed)
        {
            MoveNextWrapping();
            Consumed++;
        }
    }

    /// <summary>The next <paramref name="count"/> good rows.</summary>
    public List<TRow> Next(int count) => Next(count, acceptKey: null);

    /// <summary>
    /// The next <paramref name="count"/> good rows whose key <paramref name="acceptKey"/> accepts. The others are
    /// consumed (so a resumed run sees the same rows) but only their key is read.
    /// </summary>
    public List<TRow> Next(int count, Func<string, bool>? acceptKey)
    {
        if (acceptKey is not null && _bindKey is null) throw new InvalidOperationException("This row stream was made without a key to filter on.");
        var rows = new List<TRow>(count);
        int attempts = 0;
        long passedOver = 0;
        while (rows.Count < count)
        {
            MoveNextWrapping();
            Consumed++;
            if (acceptKey is not null && !acceptKey(_key!()))
            {
                if (++passedOver > 1000L * count)
                    throw new InvalidOperationException($"None of the last {passedOver} rows has an accepted key (the last was '{_key!()}'): the filter (a stage's or curriculum's kinds, or kind weights) keeps fewer than one row in 1000.");
                continue;
            }
            try
            {
                rows.Add(_read!());
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Failures.Add((_cursor!.Position, ex.Message));
                if (++attempts > 1000 + 10 * count)
                {
                    throw new InvalidOperationException($"Too many unreadable rows; the last one (row {_cursor.Position}) failed with: {ex.Message}", ex);
                }
            }
        }
        return rows;
    }

    private void MoveNextWrapping()
    {
        if (_cursor is null)
        {
            Open();
        }
        if (_cursor!.MoveNext())
        {
            _rowsInPass++;
            return;
        }
        if (_rowsInPass == 0)
        {
            throw new InvalidOperationException("The training data has no rows.");
        }
        Open();
        if (!_cursor.MoveNext())
        {
            throw new InvalidOperationException("The training data has no rows.");
        }
        _rowsInPass = 1;
    }

    private void Open()
    {
        _cursor?.Dispose();
        _cursor = _data.GetRowCursor(_columns);
        _read = _bind(_cursor);
        _key = _bindKey?.Invoke(_cursor);
        _rowsInPass = 0;
    }

    public void Dispose() => _cursor?.Dispose();
}
