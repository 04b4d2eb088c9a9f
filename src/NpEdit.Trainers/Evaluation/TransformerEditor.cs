using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Sampling;

namespace NpEdit.Trainers.Evaluation;

/// <summary>An <see cref="NpEditTransformer"/> as an <see cref="IImageEditor"/>, optionally with another sampler (e.g. more steps).</summary>
public sealed class TransformerEditor : IImageEditor
{
    private readonly NpEditTransformer _transformer;
    private readonly SamplerOptions _sampler;

    public TransformerEditor(NpEditTransformer transformer, SamplerOptions? sampler = null, string name = "np-edit")
    {
        _transformer = transformer;
        _sampler = sampler ?? transformer.Options.Sampler;
        Name = name;
    }

    public string Name { get; }

    public IReadOnlyList<RgbImage> Edit(IReadOnlyList<EditRequest> requests, IReadOnlyList<long> seeds) =>
        _transformer.EditBatch(requests.Select(r => r.Source).ToList(), requests.Select(Prompt).ToList(), seeds, _sampler);

    /// <summary>The text the editor was trained to read: the instruction, or the edited caption for an editor trained on
    /// that column (<c>train --text-column EditedCaption</c>, a diagnostic).</summary>
    private string Prompt(EditRequest request) =>
        _transformer.Options.InstructionColumnName == WorldColumns.EditedCaption ? request.EditedCaption : request.Instruction;
}
