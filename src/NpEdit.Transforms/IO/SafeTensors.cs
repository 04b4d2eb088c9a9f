using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.IO;

/// <summary>
/// Reads and writes safetensors files. Only raw tensor bytes and a JSON header: no pickle, no code.
/// </summary>
public static class SafeTensors
{
    /// <summary>Loads every tensor onto the CPU. The header is validated in full before anything is allocated.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var stream = OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Loads every tensor from a seekable stream; <paramref name="source"/> names it in errors.</summary>
    public static Dictionary<string, Tensor> Load(Stream stream, string source)
    {
        var header = SafeTensorsHeader.Read(stream, source);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in header.Entries)
            {
                result[entry.Name] = ReadTensor(stream, header, entry, source);
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>Reads the header only (names, dtypes, shapes, metadata).</summary>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var stream = OpenRead(path);
        return SafeTensorsHeader.Read(stream, path);
    }

    /// <summary>Reads one tensor's bytes into a new CPU tensor.</summary>
    public static Tensor ReadTensor(Stream stream, SafeTensorsHeader header, SafeTensorEntry entry, string source)
    {
        var tensor = torch.empty(entry.Shape, entry.DType, device: torch.CPU);
        try
        {
            stream.Position = header.DataStart + entry.Begin;
            if (entry.ByteLength > 0)
            {
                ReadInto(stream, tensor, entry.ByteLength, $"{source}: tensor '{entry.Name}'");
            }
            if (!BitConverter.IsLittleEndian)
            {
                throw new PlatformNotSupportedException("safetensors data is little-endian; big-endian hosts are not supported.");
            }
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes tensors (any device; copied to CPU, made contiguous) with keys sorted, header padded to 8 bytes,
    /// data laid out in key order. Written to a temporary file first and moved into place, so a crash never
    /// leaves a half-written file under the final name.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                Save(stream, tensors, metadata);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void Save(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        long offset = 0;
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) json.WriteString(k, v);
                json.WriteEndObject();
            }
            foreach (var name in names)
            {
                var t = tensors[name];
                long length = t.NumberOfElements * SafeTensorDType.SizeOf(t.dtype);
                json.WriteStartObject(name);
                json.WriteString("dtype", SafeTensorDType.NameOf(t.dtype));
                json.WriteStartArray("shape");
                foreach (var d in t.shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += length;
            }
            json.WriteEndObject();
        }
        var header = buffer.ToArray();
        int padding = (8 - header.Length % 8) % 8;
        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)(header.Length + padding));
        stream.Write(lengthBytes);
        stream.Write(header);
        for (int i = 0; i < padding; i++) stream.WriteByte((byte)' ');
        foreach (var name in names)
        {
            using var cpu = tensors[name].detach().cpu().contiguous();
            WriteFrom(stream, cpu);
        }
    }

    private static FileStream OpenRead(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Weights file not found: {path}", path);
        }
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    // Tensor.bytes is limited to 2 GB spans, so large tensors go through contiguous 1-D chunks (narrow keeps the
    // storage offset, and bytes reads from the view's own data pointer).
    private const long ChunkBytes = 1L << 24;

    private static void ReadInto(Stream stream, Tensor tensor, long length, string what)
    {
        using var flat = tensor.view(-1);
        int elementSize = SafeTensorDType.SizeOf(tensor.dtype);
        long chunkElements = Math.Max(1, ChunkBytes / elementSize);
        var buffer = new byte[Math.Min(length, chunkElements * elementSize)];
        for (long start = 0; start < flat.shape[0]; start += chunkElements)
        {
            long count = Math.Min(chunkElements, flat.shape[0] - start);
            int bytes = (int)(count * elementSize);
            int read = stream.ReadAtLeast(buffer.AsSpan(0, bytes), bytes, throwOnEndOfStream: false);
            if (read < bytes)
            {
                throw new WeightsFormatException($"{what}: data ends early (file truncated).");
            }
            using var slice = flat.narrow(0, start, count);
            slice.bytes = buffer.AsSpan(0, bytes);
        }
    }

    private static void WriteFrom(Stream stream, Tensor tensor)
    {
        if (tensor.NumberOfElements == 0) return;
        using var flat = tensor.view(-1);
        int elementSize = SafeTensorDType.SizeOf(tensor.dtype);
        long chunkElements = Math.Max(1, ChunkBytes / elementSize);
        for (long start = 0; start < flat.shape[0]; start += chunkElements)
        {
            long count = Math.Min(chunkElements, flat.shape[0] - start);
            using var slice = flat.narrow(0, start, count);
            stream.Write(slice.bytes);
        }
    }
}
