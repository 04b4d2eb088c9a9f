using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Sampling;

namespace NpEdit.Trainers.Evaluation;

/// <summary>What <see cref="PriorEvaluation"/> measured: the oracle's reading of generated images against the scene
/// each caption describes.</summary>
public sealed record PriorEvaluationResult(
    int Count,
    double AttributeAccuracy,
    double ExactMatch,
    IReadOnlyDictionary<string, double> ByAttribute,
    double Seconds);

/// <summary>
/// Fidelity of a text-to-image model to its captions on the world's held-out split, measured by the oracle.
/// For every object the caption names: present (its shape is found), colour, size and position (each counted wrong
/// when the object is missing); plus the background and the object count. <c>attribute_accuracy</c> pools all these
/// checks; <c>exact_match</c> is the fraction of images whose parsed scene equals the caption's scene.
/// </summary>
public static class PriorEvaluation
{
    public static PriorEvaluationResult Run(TextToImageTransformer model, int count, int seed, SamplerOptions sampler, int batchSize = 50, IProgress<int>? progress = null,
        Action<IReadOnlyList<(RgbImage Image, string Caption)>>? onBatch = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var tallies = new Dictionary<string, (int Right, int Total)>(StringComparer.Ordinal);
        void Count(string key, bool right)
        {
            var (r, t) = tallies.TryGetValue(key, out var v) ? v : (0, 0);
            tallies[key] = (r + (right ? 1 : 0), t + 1);
        }
        int exact = 0;
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            var rows = Enumerable.Range(start, n).Select(i => WorldRows.Caption(seed, i, WorldSplit.Eval)).ToList();
            var images = model.Generate(rows.Select(r => r.Caption).ToList(), seed * 1_000_003L + start, sampler);
            onBatch?.Invoke(images.Zip(rows, (img, r) => (img, r.Caption)).ToList());
            for (int k = 0; k < n; k++)
            {
                var expected = rows[k].Scene;
                var parsed = SceneParser.Parse(images[k]);
                Count("background", parsed.Background == expected.Background);
                Count("count", parsed.Objects.Count == expected.Objects.Count);
                foreach (var o in expected.Objects)
                {
                    var found = parsed.Find(o.Shape);
                    Count("presence", found is not null);
                    Count("color", found is not null && found.Color == o.Color);
                    Count("size", found is not null && found.Size == o.Size);
                    Count("position", found is not null && found.Row == o.Row && found.Col == o.Col);
                }
                if (parsed.SameContent(expected)) exact++;
            }
            progress?.Report(start + n);
        }
        int right = tallies.Values.Sum(v => v.Right), total = tallies.Values.Sum(v => v.Total);
        return new PriorEvaluationResult(
            count,
            (double)right / total,
            (double)exact / count,
            tallies.ToDictionary(kv => kv.Key, kv => (double)kv.Value.Right / kv.Value.Total),
            clock.Elapsed.TotalSeconds);
    }
}
