using Microsoft.ML;
using Microsoft.ML.Data;

namespace NpEdit.Transforms.Data;

/// <summary>
/// Computes new columns for rows in batches (a model runs once per batch, not per row).
/// <typeparamref name="TInput"/> is what is read from a source row; <typeparamref name="TOutput"/> is what the new
/// columns are served from.
/// </summary>
public interface IBatchRowMapper<TInput, TOutput>
{
    /// <summary>Source columns the mapper reads.</summary>
    IReadOnlyList<string> InputColumns { get; }

    /// <summary>The columns the mapper adds (name and type).</summary>
    IReadOnlyList<(string Name, DataViewType Type)> OutputColumns { get; }

    /// <summary>Rows per batch.</summary>
    int BatchSize { get; }

    /// <summary>Binds getters on a source row and returns a function that reads the current row's input.
    /// The function may throw for a bad row; that row then gets an error instead of outputs.</summary>
    Func<TInput> CreateInputReader(DataViewRow row);

    /// <summary>Maps a batch. <paramref name="inputs"/> holds each row's input, or null for rows whose input failed;
    /// <paramref name="positions"/> are the rows' positions (for per-row determinism).</summary>
    IReadOnlyList<TOutput> MapBatch(IReadOnlyList<TInput?> inputs, IReadOnlyList<Exception?> readErrors, IReadOnlyList<long> positions);

    /// <summary>A getter for output column <paramref name="index"/> that reads from the current row's output.</summary>
    Delegate CreateOutputGetter(int index, Func<TOutput> current);
}
