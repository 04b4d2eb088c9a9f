using Microsoft.ML;
using Microsoft.ML.Data;
using NpEdit.Transforms.Data;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// A fitted judge as an ML.NET transformer: for rows of (image[, second image], question) it adds <c>Score</c>
/// (the logit difference l_yes - l_no), <c>Probability</c> (P(Yes) = sigmoid of it) and <c>PredictedLabel</c>
/// (P(Yes) &gt; 0.5), lazily and in batches, so <c>mlContext.BinaryClassification.Evaluate</c> works with the answer
/// column as label. <see cref="Scorer"/> gives the differentiable Yes/No logits NP-Edit trains against.
/// </summary>
public sealed class JudgeTransformer : ITransformer, IDisposable
{
    public const string ScoreColumn = "Score";
    public const string ProbabilityColumn = "Probability";
    public const string PredictedLabelColumn = "PredictedLabel";

    public JudgeTransformer(LlavaOnevisionModel model, VlmTokenizer tokenizer, JudgeColumns? columns = null, string? systemPrompt = null, int batchSize = 64)
    {
        Scorer = new YesNoScorer(model, tokenizer, freeze: true, systemPrompt);
        Columns = columns ?? new JudgeColumns();
        BatchSize = batchSize;
    }

    /// <summary>The frozen, differentiable scorer over this judge's weights.</summary>
    public YesNoScorer Scorer { get; }
    public LlavaOnevisionModel Model => Scorer.Model;
    public VlmTokenizer Tokenizer => Scorer.Tokenizer;
    public JudgeColumns Columns { get; }
    public int BatchSize { get; }

    public bool IsRowToRowMapper => false;

    /// <summary>P(Yes) for each question about 8-bit images (no gradient; batched).</summary>
    public float[] ProbabilityYes(IReadOnlyList<(IReadOnlyList<RgbImage> Images, string Question)> items)
    {
        var result = new List<float>(items.Count);
        foreach (var chunk in items.Chunk(BatchSize))
        {
            using var scope = NewDisposeScope();
            var queries = chunk.Select(i => new JudgeQuery(i.Images.Select(img => JudgeImage.FromPixels(ImageTensors.ToTensor(img))).ToArray(), i.Question)).ToList();
            result.AddRange(Scorer.ProbabilityYes(queries));
        }
        return result.ToArray();
    }

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        Columns.Validate(SchemaChecks.ShapeOf(inputSchema), withAnswer: false);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var (name, type) in OutputColumns) builder.AddColumn(name, type);
        return builder.ToSchema();
    }

    public IDataView Transform(IDataView input)
    {
        Columns.Validate(SchemaChecks.ShapeOf(input.Schema), withAnswer: false);
        return new BatchedMappingDataView<JudgeRow, float>(input, new Mapper(this, input.Schema));
    }

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("JudgeTransformer works in batches; use Transform(IDataView), ProbabilityYes(...) or Scorer.");

    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("ML.NET's model zip cannot hold third-party TorchSharp weights. Use JudgeTransformer.Save(folder) and JudgeTransformer.Load(folder).");

    /// <summary>Writes the judge folder (weights + manifest).</summary>
    public ModelManifest Save(string folder, TrainingRecord? training = null, IReadOnlyDictionary<string, double>? metrics = null) =>
        JudgeStore.Save(Model, Tokenizer, folder, Scorer.SystemPrompt, training, metrics);

    /// <summary>Loads a judge folder, checking its SHA-256, config and every tensor.</summary>
    public static JudgeTransformer Load(string folder, Device? device = null, JudgeColumns? columns = null)
    {
        var (model, tokenizer, system) = JudgeStore.Load(folder, device);
        return new JudgeTransformer(model, tokenizer, columns, system);
    }

    public void Dispose() => Model.Dispose();

    private static readonly (string Name, DataViewType Type)[] OutputColumns =
    {
        (ScoreColumn, NumberDataViewType.Single),
        (ProbabilityColumn, NumberDataViewType.Single),
        (PredictedLabelColumn, BooleanDataViewType.Instance),
    };

    private sealed class Mapper : IBatchRowMapper<JudgeRow, float>
    {
        private readonly JudgeTransformer _owner;
        private readonly DataViewSchema _schema;

        public Mapper(JudgeTransformer owner, DataViewSchema schema)
        {
            _owner = owner;
            _schema = schema;
        }

        public IReadOnlyList<string> InputColumns => _owner.Columns.InputsIn(_schema, withAnswer: false);
        public IReadOnlyList<(string Name, DataViewType Type)> OutputColumns => JudgeTransformer.OutputColumns;
        public int BatchSize => _owner.BatchSize;

        public Func<JudgeRow> CreateInputReader(DataViewRow row) => _owner.Columns.Bind(row, withAnswer: false);

        // Output per row: the logit difference; NaN for rows whose input could not be read.
        public IReadOnlyList<float> MapBatch(IReadOnlyList<JudgeRow?> inputs, IReadOnlyList<Exception?> readErrors, IReadOnlyList<long> positions)
        {
            var good = inputs.Select((row, i) => (row, i)).Where(p => p.row is not null).ToList();
            var result = Enumerable.Repeat(float.NaN, inputs.Count).ToArray();
            if (good.Count == 0) return result;
            using var scope = NewDisposeScope();
            using var noGrad = torch.no_grad();
            var queries = good.Select(p => new JudgeQuery(p.row!.Images.Select(img => JudgeImage.FromPixels(ImageTensors.ToTensor(img))).ToArray(), p.row.Question)).ToList();
            using var logits = _owner.Scorer.Score(queries);
            var margins = logits.Yes.sub(logits.No).cpu().data<float>().ToArray();
            for (int k = 0; k < good.Count; k++) result[good[k].i] = margins[k];
            return result;
        }

        public Delegate CreateOutputGetter(int index, Func<float> current) => index switch
        {
            0 => (ValueGetter<float>)((ref float value) => value = current()),
            1 => (ValueGetter<float>)((ref float value) => value = 1f / (1f + MathF.Exp(-current()))),
            _ => (ValueGetter<bool>)((ref bool value) => value = current() > 0f),
        };
    }
}
