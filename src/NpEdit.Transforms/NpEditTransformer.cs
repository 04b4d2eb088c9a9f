using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using NpEdit.Transforms.Data;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms;

/// <summary>
/// A fitted NP-Edit editor as an ML.NET transformer: adds <c>EditedImage</c> (an image) and <c>EditError</c> (text)
/// computed lazily, in batches, from an image column and an instruction column. Each row's result depends only on
/// its image, its instruction and <c>Seed + row</c>. A row whose image cannot be read, or whose instruction is
/// empty or too long, gets its reason in <c>EditError</c> and no image, and the other rows are still edited
/// (unless <see cref="NpEditTransformerOptions.ThrowOnError"/>). With a <see cref="TextWriter"/>, the editor reads the text
/// the writer makes of each image and instruction (e.g. the caption of the edited image) instead of the instruction.
/// With a <see cref="Refiner"/> and <see cref="NpEditTransformerOptions.RefineTime"/> above 0, each edit ends with one
/// <see cref="PriorRefinement"/> step conditioned on the same text. With <see cref="NpEditTransformerOptions.KeepSourceBelow"/>
/// above 0, pixels the edit barely changed take the source's colour back (<see cref="SourceKeeping"/>).
/// </summary>
public sealed class NpEditTransformer : ITransformer, IDisposable
{
    /// <param name="refiner">The text-to-image model that refines each edit (<see cref="PriorRefinement"/>); needed
    /// when <see cref="NpEditTransformerOptions.RefineTime"/> is above 0. The transformer owns it, as it owns the editor.</param>
    public NpEditTransformer(FlowModel editor, NpEditTransformerOptions? options = null, IEditTextWriter? textWriter = null, FlowModel? refiner = null)
    {
        Editor = editor ?? throw new ArgumentNullException(nameof(editor));
        Options = options ?? new NpEditTransformerOptions();
        if (Options.RefineTime < 0 || Options.RefineTime >= 1)
            throw new ArgumentOutOfRangeException(nameof(options), Options.RefineTime, "RefineTime must lie in [0, 1) (0 = no refinement).");
        if (Options.KeepSourceBelow < 0 || Options.KeepSourceBelow > SourceKeeping.MaxThreshold)
            throw new ArgumentOutOfRangeException(nameof(options), Options.KeepSourceBelow, $"KeepSourceBelow must lie in [0, {SourceKeeping.MaxThreshold}] (0 = off).");
        if (Options.RefineTime > 0 && refiner is null)
            throw new ArgumentException($"RefineTime is {Options.RefineTime} but no refiner model was given.", nameof(refiner));
        if (refiner is not null && refiner.Config.ImageSize != editor.Config.ImageSize)
            throw new ArgumentException($"The refiner works at {refiner.Config.ImageSize} px and the editor at {editor.Config.ImageSize} px.", nameof(refiner));
        TextWriter = textWriter;
        Refiner = refiner;
        Editor.eval();
        Refiner?.eval();
    }

    public FlowModel Editor { get; }
    /// <summary>The model that refines each edit when <see cref="NpEditTransformerOptions.RefineTime"/> is above 0 (null: none).</summary>
    public FlowModel? Refiner { get; }
    /// <summary>Makes the text the editor reads from each source image and instruction; null: the editor reads the instruction.</summary>
    public IEditTextWriter? TextWriter { get; }
    public NpEditTransformerOptions Options { get; }
    public int ImageSize => Editor.Config.ImageSize;

    /// <summary>Tokens an instruction may have (the text encoder's fixed length, less the start token).</summary>
    public int MaxInstructionTokens => Editor.Config.Text.MaxLength - 1;

    public bool IsRowToRowMapper => false;

    /// <summary>The raw batched editor: <c>[B,3,S,S]</c> sources in [-1, 1] at the model's size, one instruction and
    /// one seed per row; returns edited images in [-1, 1].</summary>
    public Tensor EditTensors(Tensor sources, IReadOnlyList<string> instructions, IReadOnlyList<long> seeds, SamplerOptions? sampler = null)
    {
        using var scope = NewDisposeScope();
        var references = sources.to(Editor.Device);
        var edited = FlowModelSampler.SampleSeeded(Editor, instructions, sampler ?? Options.Sampler, seeds, references);
        if (Refiner is not null && Options.RefineTime > 0)
            edited = PriorRefinement.Refine(Refiner, edited.Clamp(-1, 1), instructions, seeds, Options.RefineTime).to(Editor.Device);
        edited = edited.Clamp(-1, 1);
        if (Options.KeepSourceBelow > 0) edited = SourceKeeping.Apply(edited, references, Options.KeepSourceBelow);
        return edited.MoveToOuterDisposeScope();
    }

    /// <summary>Edits images directly (no IDataView); image i uses seed <c>seed + i</c>.</summary>
    public IReadOnlyList<RgbImage> Edit(IReadOnlyList<RgbImage> images, IReadOnlyList<string> instructions, long? seed = null, SamplerOptions? sampler = null)
    {
        if (images.Count != instructions.Count) throw new ArgumentException("One instruction per image is needed.");
        foreach (var (instruction, i) in instructions.Select((s, i) => (s, i)))
        {
            if (ValidateInstruction(instruction) is { } problem) throw new EditFailureException(i, problem);
        }
        long start = seed ?? Options.Seed;
        return EditBatch(images, instructions, images.Select((_, i) => start + i).ToList(), sampler ?? Options.Sampler);
    }

    /// <summary>Edits a batch of images, each with its instruction (read by <see cref="TextWriter"/> when there is one) and seed.</summary>
    public IReadOnlyList<RgbImage> EditBatch(IReadOnlyList<RgbImage> images, IReadOnlyList<string> instructions, IReadOnlyList<long> seeds, SamplerOptions sampler)
    {
        if (TextWriter is not null) instructions = TextWriter.Write(images, instructions);
        return EditBatchReading(images, instructions, seeds, sampler);
    }

    /// <summary>Edits a batch of images, the editor reading <paramref name="texts"/> as they are (no <see cref="TextWriter"/>).</summary>
    public IReadOnlyList<RgbImage> EditBatchReading(IReadOnlyList<RgbImage> images, IReadOnlyList<string> texts, IReadOnlyList<long> seeds, SamplerOptions sampler)
    {
        using var scope = NewDisposeScope();
        var sources = torch.stack(images.Select(img =>
        {
            var t = ImageTensors.ToTensor(img);
            return img.Width == ImageSize && img.Height == ImageSize ? t : ImageTensors.Resize(t, ImageSize, ImageSize);
        }).ToArray());
        var edited = EditTensors(sources, texts, seeds, sampler).cpu();
        var results = new List<RgbImage>(images.Count);
        for (int i = 0; i < images.Count; i++)
        {
            var item = edited[i];
            if (Options.ResizeOutputToInput && (images[i].Width != ImageSize || images[i].Height != ImageSize))
            {
                item = ImageTensors.Resize(item, images[i].Height, images[i].Width);
            }
            results.Add(ImageTensors.ToRgbImage(item));
        }
        return results;
    }

    /// <summary>Null when the instruction can be used, else the reason it cannot.</summary>
    public string? ValidateInstruction(string instruction)
    {
        if (string.IsNullOrWhiteSpace(instruction)) return "instruction is empty";
        int tokens = Editor.Tokenizer.CountTokens(instruction) - 1;
        if (tokens > MaxInstructionTokens) return $"instruction is {tokens} tokens long; this editor reads at most {MaxInstructionTokens}";
        return null;
    }

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var (name, type) in OutputColumns()) builder.AddColumn(name, type);
        return builder.ToSchema();
    }

    public IDataView Transform(IDataView input)
    {
        CheckInput(input.Schema);
        return new BatchedMappingDataView<EditInput, EditOutput>(input, new Mapper(this));
    }

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("NpEditTransformer edits in batches; use Transform(IDataView) or Edit(...) for single images.");

    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "mlContext.Model.Save cannot store an NpEditTransformer: ML.NET's model zip only accepts its own transformers (its save context is internal). " +
            "Save the whole pipeline with NpEditModelFile.Save(mlContext, model, inputSchema, path) and load it with NpEditModelFile.Load(mlContext, path).");

    public void Dispose()
    {
        Editor.Dispose();
        TextWriter?.Dispose();
        Refiner?.Dispose();
    }

    private (string, DataViewType)[] OutputColumns() => new (string, DataViewType)[]
    {
        (Options.OutputColumnName, new ImageDataViewType(ImageSize, ImageSize)),
        (Options.ErrorColumnName, TextDataViewType.Instance),
    };

    private void CheckInput(DataViewSchema schema)
    {
        var image = schema.GetColumnOrNull(Options.ImageColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for image column '{Options.ImageColumnName}': column not found (expected Image or Vector<Byte>).");
        if (!ImageColumnReader.IsSupported(image.Type))
            throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for image column '{Options.ImageColumnName}': expected Image or Vector<Byte>, got {image.Type}.");
        SchemaChecks.RequireText(schema, Options.InstructionColumnName, "instruction");
    }

    internal sealed record EditInput(RgbImage Image, string Instruction);

    internal sealed record EditOutput(RgbImage? Image, string Error);

    private sealed class Mapper : IBatchRowMapper<EditInput, EditOutput>
    {
        private readonly NpEditTransformer _owner;

        public Mapper(NpEditTransformer owner) => _owner = owner;

        public IReadOnlyList<string> InputColumns => new[] { _owner.Options.ImageColumnName, _owner.Options.InstructionColumnName };
        public IReadOnlyList<(string Name, DataViewType Type)> OutputColumns => _owner.OutputColumns();
        public int BatchSize => _owner.Options.BatchSize;

        public Func<EditInput> CreateInputReader(DataViewRow row)
        {
            var image = ImageColumnReader.Bind(row, _owner.Options.ImageColumnName, _owner.Options.ImageLimits);
            var instruction = ImageColumnReader.BindText(row, _owner.Options.InstructionColumnName);
            // The instruction is read first so that a bad image does not hide it from the error message.
            return () =>
            {
                var text = instruction();
                return new EditInput(image(), text);
            };
        }

        public IReadOnlyList<EditOutput> MapBatch(IReadOnlyList<EditInput?> inputs, IReadOnlyList<Exception?> readErrors, IReadOnlyList<long> positions)
        {
            var outputs = new EditOutput[inputs.Count];
            var good = new List<int>();
            for (int i = 0; i < inputs.Count; i++)
            {
                string? problem = readErrors[i] is { } error ? error.Message : _owner.ValidateInstruction(inputs[i]!.Instruction);
                if (problem is null)
                {
                    good.Add(i);
                    continue;
                }
                if (_owner.Options.ThrowOnError) throw new EditFailureException(positions[i], problem, readErrors[i]);
                outputs[i] = new EditOutput(null, problem.StartsWith("row ", StringComparison.Ordinal) ? problem : $"row {positions[i]}: {problem}");
            }
            if (good.Count > 0)
            {
                var edited = _owner.EditBatch(
                    good.Select(i => inputs[i]!.Image).ToList(),
                    good.Select(i => inputs[i]!.Instruction).ToList(),
                    good.Select(i => _owner.Options.Seed + positions[i]).ToList(),
                    _owner.Options.Sampler);
                for (int k = 0; k < good.Count; k++) outputs[good[k]] = new EditOutput(edited[k], string.Empty);
            }
            return outputs;
        }

        public Delegate CreateOutputGetter(int index, Func<EditOutput> current) => index switch
        {
            // A new MLImage per call, owned by the caller (null for rows that failed, as ML.NET's image loader does).
            0 => (ValueGetter<MLImage>)((ref MLImage value) => value = current().Image is { } img ? MLImageInterop.ToMLImage(img) : null!),
            _ => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = current().Error.AsMemory()),
        };
    }
}
