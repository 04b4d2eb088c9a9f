using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace NpEdit.Transforms;

/// <summary>
/// Loaders of <see cref="IEditTextWriter"/>s by kind, so that a model file can restore a writer whose code lives in
/// another assembly (the VLM writer lives in NpEdit.Trainers, which depends on this one).
/// </summary>
public static class EditTextWriters
{
    /// <summary>Restores a writer from the files it saved; <paramref name="source"/> names the file in errors.</summary>
    public delegate IEditTextWriter Loader(IReadOnlyDictionary<string, byte[]> files, string source, Device? device);

    private static readonly ConcurrentDictionary<string, Loader> Loaders = new(StringComparer.Ordinal);

    // Kinds whose loader registers itself in its type's static constructor, run on first use so that loading a model
    // file works before anything else has touched that assembly.
    private static readonly IReadOnlyDictionary<string, string> KnownKinds = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["vlm-edited-caption"] = "NpEdit.Trainers.Vlm.VlmEditTextWriter, NpEdit.Trainers",
    };

    /// <summary>The assembly-qualified type whose static constructor registers <paramref name="kind"/>'s loader, if known.</summary>
    internal static string? LoaderTypeOf(string kind) => KnownKinds.TryGetValue(kind, out var name) ? name : null;

    public static void Register(string kind, Loader loader)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        Loaders[kind] = loader ?? throw new ArgumentNullException(nameof(loader));
    }

    public static IEditTextWriter Load(string kind, IReadOnlyDictionary<string, byte[]> files, string source, Device? device = null)
    {
        if (!Loaders.ContainsKey(kind) && KnownKinds.TryGetValue(kind, out var typeName) && Type.GetType(typeName) is { } type)
        {
            RuntimeHelpers.RunClassConstructor(type.TypeHandle);
        }
        if (!Loaders.TryGetValue(kind, out var loader))
            throw new InvalidDataException($"{source}: the editor's text writer '{kind}' has no loader here; reference the assembly that provides it and load again.");
        return loader(files, source, device);
    }
}
