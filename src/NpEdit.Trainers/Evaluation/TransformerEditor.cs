using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Sampling;

namespace NpEdit.Trainers.Evaluation;

/// <summary>An <see cref="NpEditTransformer"/> as an <see cref="IImageEditor"/>, optionally with another sampler (e.g. more steps).</summary>
public sealed class TransformerEditor : IImageEditor
{
    private readonly NpEditTransformer _transformer;
    private readonly SamplerOptions _sampler;
    private readonly EditedCaptionWriter? _writer;

    /// <param name="textColumn">The text each row gives the editor: <see cref="WorldColumns.Instruction"/> or
    /// <see cref="WorldColumns.EditedCaption"/> (default: the column the editor was fitted to read).</param>
    /// <param name="writer">When given, the editor reads the caption this writer writes from each source image and instruction
    /// (an editor trained to read edited captions, <c>train --caption-text-p 1</c>); the row's own edited caption is not used.</param>
    public TransformerEditor(NpEditTransformer transformer, SamplerOptions? sampler = null, string name = "np-edit", string? textColumn = null,
        EditedCaptionWriter? writer = null)
    {
        if (writer is not null && textColumn is not null)
            throw new ArgumentException("Give a text column or a caption writer, not both.", nameof(writer));
        _writer = writer;
        textColumn ??= transformer.Options.InstructionColumnName == WorldColumns.EditedCaption ? WorldColumns.EditedCaption : WorldColumns.Instruction;
        if (textColumn != WorldColumns.Instruction && textColumn != WorldColumns.EditedCaption)
            throw new ArgumentException($"The editor can be given {WorldColumns.Instruction} or {WorldColumns.EditedCaption}, not '{textColumn}'.", nameof(textColumn));
        _transformer = transformer;
        _sampler = sampler ?? transformer.Options.Sampler;
        ReadsEditedCaption = textColumn == WorldColumns.EditedCaption;
        Name = name;
    }

    public string Name { get; }

    /// <summary>True when each row gives the editor its edited caption instead of its instruction.</summary>
    public bool ReadsEditedCaption { get; }

    public IReadOnlyList<RgbImage> Edit(IReadOnlyList<EditRequest> requests, IReadOnlyList<long> seeds)
    {
        var sources = requests.Select(r => r.Source).ToList();
        if (_writer is not null)
            return _transformer.EditBatchReading(sources, _writer.Write(sources, requests.Select(r => r.Instruction).ToList()), seeds, _sampler);
        // The instruction goes through the transformer's own text writer, if it has one; an edited caption is read as it is.
        return ReadsEditedCaption
            ? _transformer.EditBatchReading(sources, requests.Select(r => r.EditedCaption).ToList(), seeds, _sampler)
            : _transformer.EditBatch(sources, requests.Select(r => r.Instruction).ToList(), seeds, _sampler);
    }
}
