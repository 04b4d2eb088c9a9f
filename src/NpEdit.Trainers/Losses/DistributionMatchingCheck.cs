using System.Text.Json.Serialization;
using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Losses;

/// <summary>What the fake-score model is replaced by in <see cref="DistributionMatchingCheck"/>.</summary>
public enum FakeScoreStandIn
{
    /// <summary>The prior conditioned on the edited caption, without guidance: DMD's fake score at the first step.</summary>
    EditedCaption,

    /// <summary>The prior conditioned on the source caption: a fake score that has learned a generator which copies its
    /// source (what the copy warm-up leaves), as in Delta Denoising Score.</summary>
    SourceCaption,
}

/// <summary>Outcome of <see cref="DistributionMatchingCheck.Run"/>: the oracle's verdict on the optimised images.</summary>
public sealed record DistributionMatchingCheckResult(
    [property: JsonConverter(typeof(JsonStringEnumConverter<EditType>))] EditType EditType,
    int Count,
    double OracleEditSuccess,
    double OraclePreserved,
    double OracleExact,
    double MeanAbsolutePixelChange,
    [property: JsonIgnore] IReadOnlyList<EditRowResult> Rows);

/// <summary>
/// Does DMD's gradient carry the edit? Start from the source image of held-out edits and move its pixels along the
/// distribution-matching gradient, the teacher (the prior with guidance) conditioned on the edited caption, for a
/// number of steps, each at a fresh random time and noise; then let the oracle parse the images. This is the signal
/// an editor's output receives from DMD when the editor still copies its source, measured without any training, so
/// it separates "DMD points at the edit" from "the editor does not learn it".
/// </summary>
public static class DistributionMatchingCheck
{
    public static DistributionMatchingCheckResult Run(
        FlowModel prior, int count, int seed, EditType type, int steps = 10, double learningRate = 0.05,
        double guidanceScale = 3.5, double timeMin = 0.02, double timeMax = 0.98, FakeScoreStandIn fake = FakeScoreStandIn.SourceCaption,
        int gradientPool = 1, int size = SceneRenderer.DefaultSize)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "At least one edit.");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Steps cannot be negative.");
        if (!(timeMin >= 0 && timeMin < timeMax && timeMax <= 1))
            throw new ArgumentOutOfRangeException(nameof(timeMin), $"Need 0 <= time min < time max <= 1, got {timeMin} and {timeMax}.");
        var edits = Enumerable.Range(0, count).Select(i => WorldRows.Edit(seed, i, WorldSplit.Eval, new[] { type })).ToList();
        var device = prior.Device;

        using var scope = NewDisposeScope();
        using var edited = prior.EncodeText(edits.Select(e => e.EditedCaption).ToList());
        using var empty = prior.EncodeText(edits.Select(_ => string.Empty).ToList());
        using var fakeText = prior.EncodeText(edits.Select(e => fake == FakeScoreStandIn.SourceCaption ? e.SourceCaption : e.EditedCaption).ToList());
        var sources = SceneRenderer.RenderBatch(edits.Select(e => e.Source).ToList(), size, device);
        var latents = prior.Codec.Encode(sources).clone();
        // Drawn on the CPU, as everywhere in the project, so a seed gives the same times and noise on every device.
        using var generator = new Generator((ulong)seed);
        using (no_grad())
        {
            for (int step = 0; step < steps; step++)
            {
                using var stepScope = NewDisposeScope();
                var t = TimeSampling.Between(count, generator, timeMin, timeMax, device);
                var noise = torch.randn(latents.shape, generator: generator).to(device);
                using var dmd = DistributionMatchingLoss.Compute(latents, prior, prior, edited, empty, fakeText, t, noise, guidanceScale, gradientPool);
                latents.sub_(dmd.Gradient.Mul(learningRate));
            }
        }
        var pixels = prior.Codec.Decode(latents).ClampInPlace(-1, 1);
        double change = pixels.sub(sources).abs().mean().item<float>();
        var rows = Enumerable.Range(0, count).Select(i =>
        {
            var image = ImageTensors.ToRgbImage(pixels[i].cpu());
            return new EditRowResult(i, edits[i], image, EditMetrics.Evaluate(image, edits[i].Source, edits[i].Target, type));
        }).ToList();
        return new DistributionMatchingCheckResult(
            type, count,
            rows.Count(r => r.Score.EditSuccess) / (double)count,
            rows.Count(r => r.Score.Preserved) / (double)count,
            rows.Count(r => r.Score.Exact) / (double)count,
            change,
            rows);
    }
}
