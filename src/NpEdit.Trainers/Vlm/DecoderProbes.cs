using NpEdit.Trainers.Training;
using NpEdit.Transforms.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// The training-only read-outs of the judge decoder's middle layer that the scene-token steps may add to the answer
/// loss: the <see cref="ComparisonProbe"/> on two-image rows and the <see cref="CountProbe"/> on every image. Both read
/// the same tapped residual stream, are trained only in the scene-token steps and are checkpointed with the run.
/// </summary>
internal sealed class DecoderProbes : IDisposable
{
    private const string ComparisonGroup = "comparison_probe";
    private const string CountGroup = "count_probe";

    private DecoderProbes(ComparisonProbe? comparison, CountProbe? count, int tapAfterLayers, double comparisonWeight, double countWeight)
    {
        Comparison = comparison;
        Count = count;
        TapAfterLayers = tapAfterLayers;
        ComparisonWeight = comparisonWeight;
        CountWeight = countWeight;
    }

    public ComparisonProbe? Comparison { get; }
    public CountProbe? Count { get; }
    public int TapAfterLayers { get; }
    public double ComparisonWeight { get; }
    public double CountWeight { get; }

    /// <summary>The probes the options ask for, on <paramref name="device"/>; null when they ask for none.</summary>
    public static DecoderProbes? Create(JudgeTrainer.Options o, TextModelConfig text, Device device)
    {
        if (o.ComparisonProbeWeight <= 0 && o.CountProbeWeight <= 0) return null;
        var comparison = o.ComparisonProbeWeight > 0 ? new ComparisonProbe(text.HiddenSize) : null;
        var count = o.CountProbeWeight > 0 ? new CountProbe(text.HiddenSize) : null;
        comparison?.to(device);
        count?.to(device);
        int layer = o.ComparisonProbeLayer >= 0 ? o.ComparisonProbeLayer : text.NumHiddenLayers - 1;
        return new DecoderProbes(comparison, count, layer, o.ComparisonProbeWeight, o.CountProbeWeight);
    }

    /// <summary>Parameters under the optimizer names (and checkpoint groups) of each probe.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        var none = Enumerable.Empty<(string, Parameter)>();
        return (Comparison?.named_parameters().Select(p => (ComparisonGroup + "." + p.name, p.parameter)) ?? none)
            .Concat(Count?.named_parameters().Select(p => (CountGroup + "." + p.name, p.parameter)) ?? none);
    }

    public void AddTo(Dictionary<string, IReadOnlyDictionary<string, Tensor>> groups)
    {
        if (Comparison is not null) groups[ComparisonGroup] = Comparison.state_dict();
        if (Count is not null) groups[CountGroup] = Count.state_dict();
    }

    public void Restore(Checkpoint checkpoint)
    {
        Load(checkpoint, Comparison, ComparisonGroup);
        Load(checkpoint, Count, CountGroup);
    }

    /// <summary>
    /// The weighted sum of the probes' losses on a scene-token batch, with each loss's value for the log (NaN when a
    /// probe is off or had no rows); null when no probe had rows. The count probe trains only when
    /// <paramref name="countQuestions"/> (count questions are among the stage's kinds): the running count needs
    /// attention spread evenly over the cells, the shortcut that kept the decoder from learning the object questions
    /// when it came first (measured, docs/judge.md).
    /// </summary>
    public (Tensor? Loss, double Comparison, double Count) Loss(Tensor tapped, Tensor inputIds, int imageTokenId, int tokensPerImage,
        IReadOnlyList<SceneQuestionRow> batch, bool countQuestions)
    {
        Tensor? total = null;
        double comparisonValue = double.NaN, countValue = double.NaN;
        bool counting = Count is not null && countQuestions && batch.Count > 0;
        var pairs = batch.Select((row, i) => (Row: i, row.Scenes)).Where(r => r.Scenes.Count == 2).Select(r => (r.Row, r.Scenes[0], r.Scenes[1])).ToList();
        bool comparing = Comparison is not null && pairs.Count > 0;
        if (!comparing && !counting) return (null, comparisonValue, countValue);
        var imagePositions = PromptImageTokens.FlatPositions(inputIds, imageTokenId);
        if (comparing)
        {
            var loss = Comparison!.Loss(tapped, imagePositions, tokensPerImage, pairs);
            comparisonValue = loss.item<float>();
            total = loss.Mul(ComparisonWeight);
        }
        if (counting)
        {
            var loss = Count!.Loss(tapped, imagePositions, tokensPerImage, batch.Select((row, i) => (i, row.Scenes)).ToList());
            countValue = loss.item<float>();
            var weighted = loss.Mul(CountWeight);
            total = total is null ? weighted : total.Add(weighted);
        }
        return (total, comparisonValue, countValue);
    }

    public void Dispose()
    {
        Comparison?.Dispose();
        Count?.Dispose();
    }

    private static void Load(Checkpoint checkpoint, nn.Module? probe, string group)
    {
        if (probe is null) return;
        var weights = checkpoint.Load(group);
        try
        {
            StateDictIO.LoadStrict(probe, weights, $"{checkpoint.Folder}/{group}.safetensors");
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }
}
