using Microsoft.ML;
using Microsoft.ML.Data;

namespace NpEdit.Transforms.Data;

/// <summary>
/// A lazy IDataView that appends columns computed in batches by an <see cref="IBatchRowMapper{TInput,TOutput}"/>.
/// Nothing is computed until a cursor asks for an output column, and only batch by batch.
/// <para>
/// Two cursors over the source run in step: a leading one reads the mapper's inputs a batch ahead, a following one
/// sits on the current row and serves every source column unchanged. Values of source columns are therefore never
/// copied or held across rows (ML.NET disposes an <c>MLImage</c> when its cursor moves), at the price of reading the
/// requested source columns twice. This relies on the IDataView rule that cursors without a random source see rows
/// in the same order.
/// </para>
/// </summary>
public sealed class BatchedMappingDataView<TInput, TOutput> : IDataView
{
    private readonly IDataView _source;
    private readonly IBatchRowMapper<TInput, TOutput> _mapper;
    private readonly int _firstOutput;

    public BatchedMappingDataView(IDataView source, IBatchRowMapper<TInput, TOutput> mapper)
    {
        _source = source;
        _mapper = mapper;
        var builder = new DataViewSchema.Builder();
        var outputNames = new HashSet<string>(mapper.OutputColumns.Select(c => c.Name), StringComparer.Ordinal);
        // Source columns keep their names unless an output takes the name, in which case the source column stays
        // present but hidden (ML.NET's convention for replaced columns).
        builder.AddColumns(source.Schema);
        _firstOutput = source.Schema.Count;
        foreach (var (name, type) in mapper.OutputColumns) builder.AddColumn(name, type);
        Schema = builder.ToSchema();
        _ = outputNames;
    }

    public bool CanShuffle => false;
    public DataViewSchema Schema { get; }
    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        bool wantsOutputs = needed.Any(c => c.Index >= _firstOutput);
        var sourceNeeded = needed.Where(c => c.Index < _firstOutput).Select(c => _source.Schema[c.Index]).ToList();
        var follower = _source.GetRowCursor(sourceNeeded);
        DataViewRowCursor? leader = null;
        if (wantsOutputs)
        {
            var inputs = _mapper.InputColumns.Select(name => _source.Schema[name]).ToList();
            leader = _source.GetRowCursor(inputs);
        }
        return new Cursor(this, follower, leader, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly BatchedMappingDataView<TInput, TOutput> _parent;
        private readonly DataViewRowCursor _follower;
        private readonly DataViewRowCursor? _leader;
        private readonly HashSet<int> _active;
        private readonly Func<TInput>? _readInput;
        private readonly List<TOutput> _batch = new();
        private int _indexInBatch = -1;
        private bool _leaderDone;

        public Cursor(BatchedMappingDataView<TInput, TOutput> parent, DataViewRowCursor follower, DataViewRowCursor? leader, List<DataViewSchema.Column> needed)
        {
            _parent = parent;
            _follower = follower;
            _leader = leader;
            _active = new HashSet<int>(needed.Select(c => c.Index));
            _readInput = leader is null ? null : parent._mapper.CreateInputReader(leader);
        }

        public override long Position => _follower.Position;
        public override long Batch => 0;
        public override DataViewSchema Schema => _parent.Schema;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (!_follower.MoveNext())
            {
                return false;
            }
            if (_leader is null)
            {
                return true;
            }
            _indexInBatch++;
            if (_indexInBatch >= _batch.Count)
            {
                FillBatch();
                _indexInBatch = 0;
                if (_batch.Count == 0)
                {
                    throw new InvalidOperationException("The source produced fewer rows for the mapping cursor than for the row cursor; its row order is not deterministic.");
                }
            }
            return true;
        }

        private void FillBatch()
        {
            _batch.Clear();
            var inputs = new List<TInput?>();
            var errors = new List<Exception?>();
            var positions = new List<long>();
            while (!_leaderDone && inputs.Count < _parent._mapper.BatchSize)
            {
                if (!_leader!.MoveNext())
                {
                    _leaderDone = true;
                    break;
                }
                positions.Add(_leader.Position);
                try
                {
                    inputs.Add(_readInput!());
                    errors.Add(null);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    inputs.Add(default);
                    errors.Add(ex);
                }
            }
            if (inputs.Count > 0)
            {
                _batch.AddRange(_parent._mapper.MapBatch(inputs, errors, positions));
            }
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
            {
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            }
            if (column.Index < _parent._firstOutput)
            {
                return _follower.GetGetter<TValue>(_follower.Schema[column.Index]);
            }
            var getter = _parent._mapper.CreateOutputGetter(column.Index - _parent._firstOutput, () => _batch[_indexInBatch]);
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}; it cannot be read as {typeof(TValue).Name}.");
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _follower.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _follower.Dispose();
                _leader?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
