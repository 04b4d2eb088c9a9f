namespace NpEdit.Transforms.Imaging;

/// <summary>An image could not be decoded; <see cref="Input"/> names the file, row or stream it came from.</summary>
public sealed class ImageDecodeException : Exception
{
    public ImageDecodeException(string input, string reason, Exception? inner = null)
        : base($"{input}: {reason}", inner)
    {
        Input = input;
        Reason = reason;
    }

    public string Input { get; }
    public string Reason { get; }
}
