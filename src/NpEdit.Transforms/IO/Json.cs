using System.Text.Json;
using System.Text.Json.Serialization;

namespace NpEdit.Transforms.IO;

/// <summary>The JSON settings every config and manifest in this project is written with.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        IncludeFields = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException($"{source}: JSON is null.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: invalid JSON ({ex.Message}).", ex);
        }
    }
}
