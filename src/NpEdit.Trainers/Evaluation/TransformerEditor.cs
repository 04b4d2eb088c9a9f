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
        _transformer.EditBatch(requests.Select(r => r.Source).ToList(), requests.Select(r => r.Instruction).ToList(), seeds, _sampler);
}
