using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Evaluation;

/// <summary>What an editor is given for one row. Captions are there for baselines that need them (zero-shot SDEdit
/// denoises with the edited caption); NP-Edit and the supervised baseline read only the image and the instruction.</summary>
public sealed record EditRequest(RgbImage Source, string Instruction, string SourceCaption, string EditedCaption);

/// <summary>Anything that edits images from instructions: the NP-Edit transformer, the baselines.</summary>
public interface IImageEditor
{
    string Name { get; }

    /// <summary>Edits each request; row r's randomness depends only on <paramref name="seeds"/>[r].</summary>
    IReadOnlyList<RgbImage> Edit(IReadOnlyList<EditRequest> requests, IReadOnlyList<long> seeds);
}
