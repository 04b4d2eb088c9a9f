using System.Text.Json;
using System.Text.Json.Serialization;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Whether and how an edited-caption writer checks its object phrases against its own Yes/No answers
/// (<see cref="ObjectPhraseVerifier"/>), saved as <see cref="FileName"/> beside the writer's weights, so that a writer
/// folder and a model file that carries the writer decode the same way wherever they are loaded. A folder without the
/// file writes captions unchecked, as writers saved before it did.
/// </summary>
public sealed record CaptionVerification(
    [property: JsonPropertyName("grammar")] string Grammar,
    [property: JsonPropertyName("accept")] double Accept = 0.9,
    [property: JsonPropertyName("reject")] double Reject = 0.5)
{
    public const string FileName = "verification.json";

    /// <summary>The default world's verification, as the shipped writer is saved with.</summary>
    public static CaptionVerification ShapesWorld { get; } = new(ShapesWriter.PhraseGrammarName);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The verifier these settings describe; an unknown grammar is refused.</summary>
    public ObjectPhraseVerifier CreateVerifier()
    {
        var grammar = Grammar == ShapesWriter.PhraseGrammarName ? ShapesWriter.PhraseGrammar
            : throw new InvalidDataException($"Unknown object-phrase grammar '{Grammar}' (known: {ShapesWriter.PhraseGrammarName}).");
        return new ObjectPhraseVerifier(grammar, Accept, Reject);
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Parses and checks saved settings; <paramref name="source"/> names the file in errors.</summary>
    public static CaptionVerification Parse(byte[] json, string source)
    {
        CaptionVerification? settings;
        try
        {
            settings = JsonSerializer.Deserialize<CaptionVerification>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: not valid caption-verification JSON: {ex.Message}", ex);
        }
        if (settings is null || string.IsNullOrWhiteSpace(settings.Grammar)) throw new InvalidDataException($"{source}: the caption verification names no grammar.");
        try
        {
            settings.CreateVerifier();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidDataException)
        {
            throw new InvalidDataException($"{source}: {ex.Message}", ex);
        }
        return settings;
    }

    /// <summary>The settings saved in <paramref name="folder"/>, or null when it has none.</summary>
    public static CaptionVerification? Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        return File.Exists(path) ? Parse(File.ReadAllBytes(path), path) : null;
    }

    public void Write(string folder) => File.WriteAllBytes(Path.Combine(folder, FileName), ToJson());
}
