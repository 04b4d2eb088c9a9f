using TorchSharp;

namespace NpEdit.Transforms.IO;

/// <summary>The safetensors dtype names this project reads and writes, with their torch types.</summary>
public static class SafeTensorDType
{
    private static readonly Dictionary<string, torch.ScalarType> ByName = new(StringComparer.Ordinal)
    {
        ["F64"] = torch.ScalarType.Float64,
        ["F32"] = torch.ScalarType.Float32,
        ["F16"] = torch.ScalarType.Float16,
        ["BF16"] = torch.ScalarType.BFloat16,
        ["I64"] = torch.ScalarType.Int64,
        ["I32"] = torch.ScalarType.Int32,
        ["I16"] = torch.ScalarType.Int16,
        ["I8"] = torch.ScalarType.Int8,
        ["U8"] = torch.ScalarType.Byte,
        ["BOOL"] = torch.ScalarType.Bool,
    };

    public static bool TryParse(string name, out torch.ScalarType type) => ByName.TryGetValue(name, out type);

    public static string NameOf(torch.ScalarType type)
    {
        foreach (var (name, t) in ByName)
        {
            if (t == type)
            {
                return name;
            }
        }
        throw new NotSupportedException($"Tensor dtype {type} cannot be written to safetensors by this library.");
    }

    public static int SizeOf(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float64 or torch.ScalarType.Int64 => 8,
        torch.ScalarType.Float32 or torch.ScalarType.Int32 => 4,
        torch.ScalarType.Float16 or torch.ScalarType.BFloat16 or torch.ScalarType.Int16 => 2,
        torch.ScalarType.Int8 or torch.ScalarType.Byte or torch.ScalarType.Bool => 1,
        _ => throw new NotSupportedException($"Unsupported dtype {type}."),
    };
}
