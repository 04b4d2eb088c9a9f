using System.Text.Json;
using System.Text.Json.Serialization;

namespace NpEdit.Cli.Infrastructure;

/// <summary>
/// The CLI's metrics contract: a verb that measures something ends stdout with exactly one line holding one
/// JSON object. Scripts and benchmarks read that line; everything above it is for people.
/// </summary>
internal static class JsonLine
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
    };

    public static void Write<T>(T value)
    {
        Console.Out.Flush();
        Console.WriteLine(JsonSerializer.Serialize(value, Options));
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
