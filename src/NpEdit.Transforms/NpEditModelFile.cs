using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using NpEdit.Transforms.IO;
using NpEdit.Transforms.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms;

/// <summary>
/// Saves a fitted pipeline that contains an <see cref="NpEditTransformer"/> (alone, or in a TransformerChain with
/// ML.NET's own transforms before and after it) to one file, and loads it back with one call.
/// <para>
/// The file is a zip: <c>manifest.json</c> (format, version, SHA-256 of every other entry), <c>editor/config.json</c>,
/// <c>editor/model.safetensors</c>, and ML.NET's own model zips for the transforms before and after the editor
/// (<c>mlnet/before.zip</c>, <c>mlnet/after.zip</c>), written by <c>mlContext.Model.Save</c>, and, for an editor with a
/// <see cref="IEditTextWriter"/>, the writer's files under <c>writer/</c> (its kind is in the config), and, when saved
/// with one, the <see cref="TrainingRecord"/> as <c>training.json</c>, and, for an editor with a refiner
/// (<see cref="NpEditTransformer.Refiner"/>), its config and weights under <c>refiner/</c>. Loading refuses a
/// truncated file, a missing or extra entry, or any entry whose hash differs from the manifest.
/// </para>
/// </summary>
public static class NpEditModelFile
{
    public const string Format = "npedit-model";
    public const int Version = 1;
    private const string ManifestEntry = "manifest.json";
    private const string ConfigEntry = "editor/config.json";
    private const string WeightsEntry = "editor/model.safetensors";
    private const string BeforeEntry = "mlnet/before.zip";
    private const string AfterEntry = "mlnet/after.zip";
    private const string WriterPrefix = "writer/";
    private const string TrainingEntry = "training.json";
    private const string RefinerConfigEntry = "refiner/config.json";
    private const string RefinerWeightsEntry = "refiner/model.safetensors";

    /// <param name="context">The MLContext used to save ML.NET's own transforms.</param>
    /// <param name="model">An <see cref="NpEditTransformer"/> or a <see cref="TransformerChain{TLastTransformer}"/> holding exactly one.</param>
    /// <param name="inputSchema">The schema of the data the pipeline is applied to.</param>
    /// <param name="training">How the editor was trained (command, settings, machine, wall time), kept in the file as
    /// <c>training.json</c> under the manifest's hashes and read back by <see cref="ReadTraining"/>. Why: the thread
    /// count alone moves a CPU training run's result by several points (docs/editor.md), so a model file should say
    /// how it was made.</param>
    public static void Save(MLContext context, ITransformer model, DataViewSchema inputSchema, string path, TrainingRecord? training = null)
    {
        var parts = Flatten(model).ToList();
        int index = parts.FindIndex(p => p is NpEditTransformer);
        if (index < 0 || parts.Count(p => p is NpEditTransformer) != 1)
            throw new ArgumentException("The pipeline must contain exactly one NpEditTransformer.", nameof(model));
        var editor = (NpEditTransformer)parts[index];
        var before = parts.Take(index).ToList();
        var after = parts.Skip(index + 1).ToList();

        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var schema = inputSchema;
        if (before.Count > 0)
        {
            var chain = new TransformerChain<ITransformer>(before.ToArray());
            entries[BeforeEntry] = SaveMlNet(context, chain, schema);
            schema = chain.GetOutputSchema(schema);
        }
        schema = editor.GetOutputSchema(schema);
        if (after.Count > 0)
        {
            entries[AfterEntry] = SaveMlNet(context, new TransformerChain<ITransformer>(after.ToArray()), schema);
        }
        if (training is not null) entries[TrainingEntry] = System.Text.Encoding.UTF8.GetBytes(Json.Serialize(training));
        entries[ConfigEntry] = System.Text.Encoding.UTF8.GetBytes(Json.Serialize(new EditorConfig(editor.Editor.Config, editor.Options, editor.TextWriter?.Kind)));
        if (editor.TextWriter is not null)
        {
            foreach (var (name, bytes) in editor.TextWriter.SaveFiles())
            {
                if (name.Contains('/') || name.Contains('\\')) throw new ArgumentException($"A text writer's file name may not hold a folder: '{name}'.", nameof(model));
                entries[WriterPrefix + name] = bytes;
            }
        }
        entries[WeightsEntry] = WeightBytes(editor.Editor);
        if (editor.Refiner is not null)
        {
            entries[RefinerConfigEntry] = System.Text.Encoding.UTF8.GetBytes(Json.Serialize(editor.Refiner.Config));
            entries[RefinerWeightsEntry] = WeightBytes(editor.Refiner);
        }
        var manifest = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["created_utc"] = DateTime.UtcNow.ToString("O"),
            ["entries"] = new JsonObject(entries.OrderBy(e => e.Key, StringComparer.Ordinal)
                .Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(Sha256.Of(e.Value))))),
        };

        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + $".{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew))
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
            {
                Write(zip, ManifestEntry, System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString(Json.Options)));
                foreach (var (name, bytes) in entries.OrderBy(e => e.Key, StringComparer.Ordinal)) Write(zip, name, bytes);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Loads the pipeline saved by <see cref="Save"/> as a TransformerChain (before → editor → after).</summary>
    public static TransformerChain<ITransformer> Load(MLContext context, string path, Device? device = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"NP-Edit model file not found: {path}", path);
        var entries = ReadVerified(path);
        var config = Json.Deserialize<EditorConfig>(System.Text.Encoding.UTF8.GetString(entries[ConfigEntry]), $"{path}:{ConfigEntry}");
        // The editor and its writer hold native tensors: a later part that fails to load must not leak them.
        FlowModel? editorModel = null, refiner = null;
        IEditTextWriter? writer = null;
        try
        {
            editorModel = LoadFlowModel(config.Model, entries, WeightsEntry, path, device);
            if (entries.TryGetValue(RefinerConfigEntry, out var refinerConfig))
            {
                refiner = LoadFlowModel(Json.Deserialize<FlowModelConfig>(System.Text.Encoding.UTF8.GetString(refinerConfig), $"{path}:{RefinerConfigEntry}"),
                    entries, RefinerWeightsEntry, path, device);
            }
            writer = config.TextWriterKind is { } kind
                ? EditTextWriters.Load(kind, entries.Where(e => e.Key.StartsWith(WriterPrefix, StringComparison.Ordinal))
                    .ToDictionary(e => e.Key[WriterPrefix.Length..], e => e.Value, StringComparer.Ordinal), path, device)
                : null;
            var parts = new List<ITransformer>();
            if (entries.TryGetValue(BeforeEntry, out var before)) parts.AddRange(Flatten(LoadMlNet(context, before, path, BeforeEntry)));
            parts.Add(new NpEditTransformer(editorModel, config.Transformer, writer, refiner));
            if (entries.TryGetValue(AfterEntry, out var after)) parts.AddRange(Flatten(LoadMlNet(context, after, path, AfterEntry)));
            return new TransformerChain<ITransformer>(parts.ToArray());
        }
        catch
        {
            writer?.Dispose();
            refiner?.Dispose();
            editorModel?.Dispose();
            throw;
        }
    }

    private static byte[] WeightBytes(FlowModel model)
    {
        using var weights = new MemoryStream();
        SafeTensors.Save(weights, model.state_dict(), new Dictionary<string, string> { ["format"] = "pt" });
        return weights.ToArray();
    }

    private static FlowModel LoadFlowModel(FlowModelConfig config, IReadOnlyDictionary<string, byte[]> entries, string entry, string path, Device? device)
    {
        if (!entries.TryGetValue(entry, out var weightBytes)) throw new InvalidDataException($"{path}: no {entry}.");
        var model = new FlowModel(config);
        try
        {
            using var weights = new MemoryStream(weightBytes);
            var tensors = SafeTensors.Load(weights, $"{path}:{entry}");
            try
            {
                StateDictIO.LoadStrict(model, tensors, $"{path}:{entry}");
            }
            finally
            {
                foreach (var t in tensors.Values) t.Dispose();
            }
            return device is null ? model : model.to(device);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The training record saved with the file (null when it was saved without one), after the same checks as
    /// <see cref="Load"/>: a modified record is refused like modified weights.</summary>
    public static TrainingRecord? ReadTraining(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"NP-Edit model file not found: {path}", path);
        var entries = ReadVerified(path);
        return entries.TryGetValue(TrainingEntry, out var bytes)
            ? Json.Deserialize<TrainingRecord>(System.Text.Encoding.UTF8.GetString(bytes), $"{path}:{TrainingEntry}")
            : null;
    }

    /// <summary>Just the editor of a saved pipeline.</summary>
    public static NpEditTransformer LoadEditor(MLContext context, string path, Device? device = null) =>
        Load(context, path, device).OfType<NpEditTransformer>().Single();

    private sealed record EditorConfig(FlowModelConfig Model, NpEditTransformerOptions Transformer, string? TextWriterKind = null);

    private static Dictionary<string, byte[]> ReadVerified(string path)
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                using var stream = entry.Open();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                entries[entry.FullName] = copy.ToArray();
            }
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: not a readable NP-Edit model file (truncated or corrupt zip: {ex.Message}).", ex);
        }
        if (!entries.TryGetValue(ManifestEntry, out var manifestBytes))
            throw new InvalidDataException($"{path}: no {ManifestEntry}; not an NP-Edit model file.");
        JsonNode manifest;
        try
        {
            manifest = JsonNode.Parse(manifestBytes) ?? throw new InvalidDataException("empty");
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: {ManifestEntry} is not valid JSON.", ex);
        }
        if ((string?)manifest["format"] != Format)
            throw new InvalidDataException($"{path}: format '{manifest["format"]}' is not '{Format}'.");
        if ((int?)manifest["version"] is not int version || version > Version)
            throw new InvalidDataException($"{path}: version {manifest["version"]} is newer than this library reads ({Version}).");
        var expected = manifest["entries"] as JsonObject ?? throw new InvalidDataException($"{path}: manifest lists no entries.");
        foreach (var name in entries.Keys.Where(n => n != ManifestEntry))
        {
            if (!expected.ContainsKey(name)) throw new InvalidDataException($"{path}: entry '{name}' is not in the manifest; the file was modified.");
        }
        foreach (var (name, hash) in expected)
        {
            if (!entries.TryGetValue(name, out var bytes)) throw new InvalidDataException($"{path}: entry '{name}' listed in the manifest is missing.");
            if (!string.Equals(Sha256.Of(bytes), (string?)hash, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{path}: entry '{name}' does not match its SHA-256 in the manifest; the file was modified or damaged.");
        }
        if (!entries.ContainsKey(ConfigEntry) || !entries.ContainsKey(WeightsEntry))
            throw new InvalidDataException($"{path}: the editor's config or weights are missing.");
        return entries;
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : new[] { model };

    private static byte[] SaveMlNet(MLContext context, ITransformer chain, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        context.Model.Save(chain, schema, stream);
        return stream.ToArray();
    }

    private static ITransformer LoadMlNet(MLContext context, byte[] bytes, string path, string entry)
    {
        try
        {
            using var stream = new MemoryStream(bytes);
            return context.Model.Load(stream, out _);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: ML.NET could not load {entry} ({ex.Message}).", ex);
        }
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        using var stream = entry.Open();
        stream.Write(bytes);
    }
}
