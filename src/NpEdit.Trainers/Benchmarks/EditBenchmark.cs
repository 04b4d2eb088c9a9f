using System.Diagnostics;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms;
using NpEdit.Transforms.Imaging;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Benchmarks;

/// <summary>What <see cref="EditBenchmark"/> measured.</summary>
public sealed record EditBenchmarkResult(
    double PipelineImagesPerSecond,
    double RawImagesPerSecond,
    double PipelineVsRawThroughput,
    // The JSON names; snake_case alone would glue the digits ("latency_ratio4_vs50").
    [property: JsonPropertyName("latency_4_step_ms")] double Latency4StepMs,
    [property: JsonPropertyName("latency_50_step_ms")] double Latency50StepMs,
    [property: JsonPropertyName("latency_ratio_4_vs_50")] double LatencyRatio4Vs50,
    int Images,
    int BatchSize);

/// <summary>
/// Editing speed: images per second through the transformer over an IDataView (decode, batching, per-row seeds,
/// MLImage output) against the raw batched sampler on the same tensors; and the latency of one 4-step edit against
/// one 50-step edit.
/// </summary>
public static class EditBenchmark
{
    public static EditBenchmarkResult Run(NpEditTransformer editor, int images = 256, int repeats = 3)
    {
        var context = new MLContext(seed: 0);
        var data = WorldDataViews.TrainingRows(context, images, seed: 11, size: editor.ImageSize);
        var sources = new List<RgbImage>();
        var instructions = new List<string>();
        using (var cursor = data.GetRowCursor(data.Schema))
        {
            var image = NpEdit.Transforms.Data.ImageColumnReader.Bind(cursor, "Image");
            var text = NpEdit.Transforms.Data.ImageColumnReader.BindText(cursor, "Instruction");
            while (cursor.MoveNext())
            {
                sources.Add(image());
                instructions.Add(text());
            }
        }
        int batch = editor.Options.BatchSize;
        using var tensors = ImageTensors.ToBatch(sources);
        var seeds = Enumerable.Range(0, images).Select(i => editor.Options.Seed + i).ToList();

        double Raw()
        {
            var clock = Stopwatch.StartNew();
            for (int start = 0; start < images; start += batch)
            {
                int n = Math.Min(batch, images - start);
                using var scope = NewDisposeScope();
                editor.EditTensors(tensors.narrow(0, start, n), instructions.GetRange(start, n), seeds.GetRange(start, n));
            }
            return images / clock.Elapsed.TotalSeconds;
        }

        double Pipeline()
        {
            var clock = Stopwatch.StartNew();
            var edited = editor.Transform(data);
            using var cursor = edited.GetRowCursor(edited.Schema);
            var output = cursor.GetGetter<MLImage>(edited.Schema[editor.Options.OutputColumnName]);
            int count = 0;
            while (cursor.MoveNext())
            {
                MLImage image = null!;
                output(ref image);
                image.Dispose();
                count++;
            }
            if (count != images) throw new InvalidOperationException($"Pipeline produced {count} rows, expected {images}.");
            return images / clock.Elapsed.TotalSeconds;
        }

        Raw();
        double raw = 0, pipeline = 0;
        for (int r = 0; r < repeats; r++)
        {
            raw = Math.Max(raw, Raw());
            pipeline = Math.Max(pipeline, Pipeline());
        }

        double Latency(int steps)
        {
            var sampler = editor.Options.Sampler with { Steps = steps };
            var one = new[] { sources[0] };
            var text = new[] { instructions[0] };
            editor.Edit(one, text, 0, sampler);
            double best = double.MaxValue;
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                editor.Edit(one, text, 0, sampler);
                best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
            }
            return best;
        }

        double l4 = Latency(4), l50 = Latency(50);
        return new EditBenchmarkResult(pipeline, raw, pipeline / raw, l4, l50, l4 / l50, images, batch);
    }
}
