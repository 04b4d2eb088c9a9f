using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Evaluation;

/// <summary>Anything that edits images from instructions: the NP-Edit transformer, the baselines.</summary>
public interface IImageEditor
{
    string Name { get; }

    /// <summary>Edits each source with its instruction; row r's randomness depends only on <paramref name="seeds"/>[r].</summary>
    IReadOnlyList<RgbImage> Edit(IReadOnlyList<RgbImage> sources, IReadOnlyList<string> instructions, IReadOnlyList<long> seeds);
}
