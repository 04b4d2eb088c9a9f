using NpEdit.Transforms;
using NpEdit.Transforms.Imaging;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// An <see cref="EditedCaptionWriter"/> as the text writer of an <see cref="NpEditTransformer"/>: the editor reads the
/// caption of the edited image that the VLM writes from each source image and instruction. Saved in the model file
/// as the judge folder's files (manifest with hashes, config, safetensors weights).
/// </summary>
public sealed class VlmEditTextWriter : IEditTextWriter
{
    public const string WriterKind = "vlm-edited-caption";

    static VlmEditTextWriter() => EditTextWriters.Register(WriterKind, Load);

    public VlmEditTextWriter(LlavaOnevisionModel model, VlmTokenizer tokenizer, string? systemPrompt = null, CaptionVerification? verification = null)
    {
        Verification = verification;
        Writer = new EditedCaptionWriter(model, tokenizer, systemPrompt) { Verifier = verification?.CreateVerifier() };
    }

    public EditedCaptionWriter Writer { get; }

    /// <summary>How the writer checks its captions (saved with it), or null when it does not.</summary>
    public CaptionVerification? Verification { get; }

    public string Kind => WriterKind;

    /// <summary>Loads a judge folder trained to write edited captions (<c>judge train --caption-rows Edits</c>), with the
    /// caption verification the folder saves (<see cref="CaptionVerification.FileName"/>) unless <paramref name="verify"/> is false.</summary>
    public static VlmEditTextWriter FromFolder(string folder, Device? device = null, bool verify = true)
    {
        var verification = verify ? CaptionVerification.Read(folder) : null;
        var (model, tokenizer, system) = JudgeStore.Load(folder, device);
        return new VlmEditTextWriter(model, tokenizer, system, verification);
    }

    public IReadOnlyList<string> Write(IReadOnlyList<RgbImage> sources, IReadOnlyList<string> instructions) => Writer.Write(sources, instructions);

    // The judge folder's own format and checks, through a scratch folder: ModelFolder reads and writes folders.
    public IReadOnlyDictionary<string, byte[]> SaveFiles() => InScratchFolder(folder =>
    {
        JudgeStore.Save(Writer.Model, Writer.Tokenizer, folder, Writer.SystemPrompt);
        Verification?.Write(folder);
        return (IReadOnlyDictionary<string, byte[]>)Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes, StringComparer.Ordinal);
    });

    public void Dispose() => Writer.Model.Dispose();

    private static IEditTextWriter Load(IReadOnlyDictionary<string, byte[]> files, string source, Device? device) => InScratchFolder(folder =>
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, bytes) in files) File.WriteAllBytes(Path.Combine(folder, Path.GetFileName(name)), bytes);
        try
        {
            return (IEditTextWriter)FromFolder(folder, device);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            throw new InvalidDataException($"{source}: the editor's text writer could not be loaded: {ex.Message}", ex);
        }
    });

    private static T InScratchFolder<T>(Func<string, T> use)
    {
        string folder = Path.Combine(Path.GetTempPath(), "npedit-writer-" + Guid.NewGuid().ToString("N"));
        try
        {
            return use(folder);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
