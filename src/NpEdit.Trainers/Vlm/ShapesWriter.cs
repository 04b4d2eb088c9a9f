namespace NpEdit.Trainers.Vlm;

/// <summary>
/// The edited-caption writer shipped for the default world (<see cref="EditedCaptionWriter"/>): a judge-architecture VLM
/// started from the judge's weights whose decoder was trained, vision frozen, to write the canonical caption of the
/// edited scene from a source image and an instruction (docs/editor.md). It lives in a judge folder.
/// </summary>
public static class ShapesWriter
{
    public const string DefaultFolder = "models/shapes-writer";

    /// <summary><paramref name="folder"/> if given, else the shipped writer (<see cref="ShippedModels"/> says where it is looked for).</summary>
    public static string ResolveFolder(string? folder = null) => folder ?? ShippedModels.Find("shapes-writer", "--writer");
}
