namespace NpEdit.Transforms.IO;

/// <summary>A weights file is malformed, or its tensors do not fit the model they are loaded into.</summary>
public sealed class WeightsFormatException : Exception
{
    public WeightsFormatException(string message) : base(message) { }
    public WeightsFormatException(string message, Exception inner) : base(message, inner) { }
}
