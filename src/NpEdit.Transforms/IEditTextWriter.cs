using NpEdit.Transforms.Imaging;

namespace NpEdit.Transforms;

/// <summary>
/// Turns each (source image, instruction) into the text an editor reads, for an editor trained on another text than
/// the instruction, e.g. the caption of the edited image (a VLM writes it; docs/editor.md). It is saved in the
/// model file with the editor and restored by the loader registered for its <see cref="Kind"/>
/// (<see cref="EditTextWriters"/>).
/// </summary>
public interface IEditTextWriter : IDisposable
{
    /// <summary>Names the loader that restores this writer from its saved files.</summary>
    string Kind { get; }

    /// <summary>One text per (source image, instruction), in order.</summary>
    IReadOnlyList<string> Write(IReadOnlyList<RgbImage> sources, IReadOnlyList<string> instructions);

    /// <summary>The files that restore this writer, by relative name (no folders).</summary>
    IReadOnlyDictionary<string, byte[]> SaveFiles();
}
