using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using NpEdit.Transforms.Data;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.IO;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms;

/// <summary>
/// A fitted text-to-image flow model as an ML.NET transformer: adds an image column generated from a caption column,
/// lazily and in batches. Row r uses noise seeded by <c>Seed + r</c>, so output is reproducible per row.
/// </summary>
public sealed class TextToImageTransformer : ITransformer, IDisposable
{
    public TextToImageTransformer(FlowModel model, string captionColumn = "Caption", string outputColumn = "GeneratedImage", SamplerOptions? sampler = null, int batchSize = 16, long seed = 0)
    {
        Model = model;
        CaptionColumn = captionColumn;
        OutputColumn = outputColumn;
        Sampler = sampler ?? new SamplerOptions { Steps = 16, GuidanceScale = 3.0 };
        BatchSize = batchSize;
        Seed = seed;
    }

    public FlowModel Model { get; }
    public string CaptionColumn { get; }
    public string OutputColumn { get; }
    public SamplerOptions Sampler { get; }
    public int BatchSize { get; }
    public long Seed { get; }

    public bool IsRowToRowMapper => false;

    /// <summary>Generates one image per caption; image i uses noise seeded by <c>seed + i</c>.</summary>
    public IReadOnlyList<RgbImage> Generate(IReadOnlyList<string> captions, long seed, SamplerOptions? sampler = null) =>
        GenerateForPositions(captions, captions.Select((_, i) => seed + i).ToList(), sampler ?? Sampler);

    private IReadOnlyList<RgbImage> GenerateForPositions(IReadOnlyList<string> captions, IReadOnlyList<long> seeds, SamplerOptions sampler)
    {
        using var scope = NewDisposeScope();
        var images = FlowModelSampler.SampleSeeded(Model, captions, sampler, seeds);
        return ImageTensors.ToRgbImages(images.cpu());
    }

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        SchemaChecks.RequireText(inputSchema, CaptionColumn, "caption");
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(OutputColumn, new ImageDataViewType(Model.Config.ImageSize, Model.Config.ImageSize));
        return builder.ToSchema();
    }

    public IDataView Transform(IDataView input)
    {
        SchemaChecks.RequireText(input.Schema, CaptionColumn, "caption");
        return new BatchedMappingDataView<string, RgbImage>(input, new Mapper(this));
    }

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("TextToImageTransformer works in batches; use Transform(IDataView) or Generate(...).");

    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("ML.NET's model zip cannot hold third-party TorchSharp weights. Use TextToImageTransformer.Save(folder) and TextToImageTransformer.Load(folder).");

    /// <summary>Writes the model folder (weights + manifest).</summary>
    public void Save(string folder) => FlowModelStore.Save(Model, folder);

    public static TextToImageTransformer Load(string folder, SamplerOptions? sampler = null, Device? device = null) =>
        new(FlowModelStore.Load(folder, device), sampler: sampler);

    public void Dispose() => Model.Dispose();

    private sealed class Mapper : IBatchRowMapper<string, RgbImage>
    {
        private readonly TextToImageTransformer _owner;

        public Mapper(TextToImageTransformer owner) => _owner = owner;

        public IReadOnlyList<string> InputColumns => new[] { _owner.CaptionColumn };
        public IReadOnlyList<(string Name, DataViewType Type)> OutputColumns =>
            new[] { (_owner.OutputColumn, (DataViewType)new ImageDataViewType(_owner.Model.Config.ImageSize, _owner.Model.Config.ImageSize)) };
        public int BatchSize => _owner.BatchSize;

        public Func<string> CreateInputReader(DataViewRow row)
        {
            var getter = row.GetGetter<ReadOnlyMemory<char>>(row.Schema[_owner.CaptionColumn]);
            return () =>
            {
                ReadOnlyMemory<char> value = default;
                getter(ref value);
                return value.ToString();
            };
        }

        public IReadOnlyList<RgbImage> MapBatch(IReadOnlyList<string?> inputs, IReadOnlyList<Exception?> readErrors, IReadOnlyList<long> positions)
        {
            var captions = inputs.Select(i => i ?? string.Empty).ToList();
            return _owner.GenerateForPositions(captions, positions.Select(p => _owner.Seed + p).ToList(), _owner.Sampler);
        }

        public Delegate CreateOutputGetter(int index, Func<RgbImage> current) =>
            (ValueGetter<MLImage>)((ref MLImage value) => value = MLImageInterop.ToMLImage(current()));
    }
}
