using System.Text.Json;
using System.Text.Json.Serialization;
using NpEdit.Transforms.IO;

namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// The JSON form of a <see cref="Scene"/>: colours and shapes by name so files stay readable and survive palette
/// re-ordering, e.g. <c>{"background":"gray","objects":[{"shape":"circle","color":"red","size":"large","row":0,"col":2,"jitter_x":0.01,"jitter_y":0}]}</c>.
/// </summary>
internal static class SceneJson
{
    // The project's JSON settings, on one line: scenes travel inside JSONL rows and text columns.
    private static readonly JsonSerializerOptions Options = new(Json.Options) { WriteIndented = false };

    public static string Serialize(Scene scene)
    {
        var dto = new SceneDto(scene.Background.Name, scene.Objects.Select(o => new ObjectDto(
            Name(o.Shape), o.Color.Name, Name(o.Size), o.Row, o.Col, o.JitterX, o.JitterY)).ToArray());
        return JsonSerializer.Serialize(dto, Options);
    }

    public static Scene Deserialize(string json)
    {
        var dto = JsonSerializer.Deserialize<SceneDto>(json, Options)
            ?? throw new FormatException("Scene JSON is empty.");
        var objects = (dto.Objects ?? []).Select(o =>
        {
            if (o.Row is < 0 or >= SceneLayout.GridSize || o.Col is < 0 or >= SceneLayout.GridSize)
            {
                throw new FormatException($"Cell ({o.Row},{o.Col}) is outside the {SceneLayout.GridSize}x{SceneLayout.GridSize} grid.");
            }
            return new SceneObject(Parse<ShapeKind>(o.Shape), Palette.Get(o.Color), Parse<SizeKind>(o.Size), o.Row, o.Col, o.JitterX, o.JitterY);
        }).ToArray();
        return new Scene(Palette.Get(dto.Background), objects);
    }

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static T Parse<T>(string name) where T : struct, Enum =>
        Enum.TryParse<T>(name, ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new FormatException($"'{name}' is not a {typeof(T).Name}.");

    private sealed record SceneDto(string Background, ObjectDto[]? Objects);

    private sealed record ObjectDto(
        string Shape, string Color, string Size, int Row, int Col,
        [property: JsonPropertyName("jitter_x")] float JitterX,
        [property: JsonPropertyName("jitter_y")] float JitterY);
}
