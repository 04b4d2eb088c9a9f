using TorchSharp;

namespace NpEdit.Transforms.IO;

/// <summary>One tensor's record in a safetensors header. Offsets are relative to the start of the data section.</summary>
public sealed record SafeTensorEntry(string Name, torch.ScalarType DType, long[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public long ByteLength => End - Begin;
}
