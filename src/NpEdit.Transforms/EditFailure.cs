namespace NpEdit.Transforms;

/// <summary>A row that could not be edited: which row and why.</summary>
public sealed class EditFailureException : Exception
{
    public EditFailureException(long row, string reason, Exception? inner = null) : base($"row {row}: {reason}", inner)
    {
        Row = row;
        Reason = reason;
    }

    public long Row { get; }
    public string Reason { get; }
}
