using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace NpEdit.Transforms.IO;

/// <summary>
/// The parsed and validated header of a safetensors file: 8-byte little-endian header length, a JSON object
/// of tensor records (and an optional "__metadata__" string map), then the raw little-endian data.
/// Validation happens here, before any tensor is allocated, so a malformed file never loads partially.
/// </summary>
public sealed class SafeTensorsHeader
{
    /// <summary>The format's own cap on header size; larger headers are refused before they are read.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private SafeTensorsHeader(IReadOnlyList<SafeTensorEntry> entries, IReadOnlyDictionary<string, string> metadata, long dataStart, long dataLength)
    {
        Entries = entries;
        Metadata = metadata;
        DataStart = dataStart;
        DataLength = dataLength;
    }

    public IReadOnlyList<SafeTensorEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>Absolute file offset of the data section.</summary>
    public long DataStart { get; }
    public long DataLength { get; }

    public SafeTensorEntry this[string name] =>
        Entries.FirstOrDefault(e => e.Name == name) ?? throw new KeyNotFoundException($"No tensor '{name}' in the file.");

    /// <summary>Reads and validates the header from the start of <paramref name="stream"/> (which must be seekable).</summary>
    public static SafeTensorsHeader Read(Stream stream, string source)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
        {
            throw new WeightsFormatException($"{source}: not a safetensors file ({fileLength} bytes; the 8-byte header length is missing).");
        }
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength < 2 || headerLength > (ulong)MaxHeaderBytes)
        {
            throw new WeightsFormatException($"{source}: bad header length {headerLength} (allowed 2..{MaxHeaderBytes} bytes).");
        }
        if ((long)headerLength > fileLength - 8)
        {
            throw new WeightsFormatException($"{source}: header length {headerLength} runs past the end of the file ({fileLength} bytes); the file is truncated or not safetensors.");
        }
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;
        return Parse(headerBytes, dataStart, dataLength, source);
    }

    private static SafeTensorsHeader Parse(byte[] headerBytes, long dataStart, long dataLength, string source)
    {
        JsonDocument document;
        try
        {
            // The spec pads headers with trailing spaces; strict UTF-8 decoding rejects invalid bytes.
            var text = new UTF8Encoding(false, true).GetString(headerBytes).TrimEnd(' ');
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (Exception ex) when (ex is JsonException or DecoderFallbackException)
        {
            throw new WeightsFormatException($"{source}: header is not valid UTF-8 JSON ({ex.Message}).", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new WeightsFormatException($"{source}: header JSON must be an object.");
            }
            var entries = new List<SafeTensorEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new WeightsFormatException($"{source}: tensor '{property.Name}' appears twice in the header.");
                }
                if (property.Name == "__metadata__")
                {
                    ReadMetadata(property.Value, metadata, source);
                    continue;
                }
                entries.Add(ReadEntry(property.Name, property.Value, dataLength, source));
            }
            CheckNoOverlap(entries, source);
            return new SafeTensorsHeader(entries, metadata, dataStart, dataLength);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new WeightsFormatException($"{source}: __metadata__ must be an object of strings.");
        }
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new WeightsFormatException($"{source}: __metadata__ value '{item.Name}' is not a string.");
            }
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafeTensorEntry ReadEntry(string name, JsonElement value, long dataLength, string source)
    {
        string where = $"{source}: tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new WeightsFormatException($"{where}: record must be an object.");
        }
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw new WeightsFormatException($"{where}: missing dtype.");
        }
        string dtypeName = dtypeElement.GetString()!;
        if (!SafeTensorDType.TryParse(dtypeName, out var dtype))
        {
            throw new WeightsFormatException($"{where}: unsupported dtype '{dtypeName}'.");
        }
        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw new WeightsFormatException($"{where}: missing shape.");
        }
        var shape = new List<long>();
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d) || d < 0)
            {
                throw new WeightsFormatException($"{where}: shape entries must be non-negative integers.");
            }
            shape.Add(d);
        }
        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end))
        {
            throw new WeightsFormatException($"{where}: data_offsets must be two integers.");
        }
        if (begin < 0 || end < begin || end > dataLength)
        {
            throw new WeightsFormatException($"{where}: data_offsets [{begin}, {end}] lie outside the data section ({dataLength} bytes); the file is truncated or corrupt.");
        }
        var entry = new SafeTensorEntry(name, dtype, shape.ToArray(), begin, end);
        long expected;
        try
        {
            expected = checked(entry.ElementCount * SafeTensorDType.SizeOf(dtype));
        }
        catch (OverflowException)
        {
            throw new WeightsFormatException($"{where}: shape [{string.Join(", ", shape)}] is too large.");
        }
        if (expected != entry.ByteLength)
        {
            throw new WeightsFormatException(
                $"{where}: {entry.ByteLength} data bytes do not match dtype {dtypeName} with shape [{string.Join(", ", shape)}] ({expected} bytes).");
        }
        return entry;
    }

    private static void CheckNoOverlap(List<SafeTensorEntry> entries, string source)
    {
        var ordered = entries.Where(e => e.ByteLength > 0).OrderBy(e => e.Begin).ToList();
        for (int i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].Begin < ordered[i - 1].End)
            {
                throw new WeightsFormatException($"{source}: tensors '{ordered[i - 1].Name}' and '{ordered[i].Name}' overlap in the data section.");
            }
        }
    }
}
