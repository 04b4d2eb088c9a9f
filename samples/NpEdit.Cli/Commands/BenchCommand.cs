using System.CommandLine;
using NpEdit.Cli.Infrastructure;
using NpEdit.Trainers.Benchmarks;
using NpEdit.Transforms.Models;
using NpEdit.Transforms;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Cli.Commands;

/// <summary><c>npedit bench ...</c>: measurements that are too slow or machine-dependent for tests.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks: training-step efficiency and editing throughput.");
        command.Subcommands.Add(Step());
        command.Subcommands.Add(Edit());
        command.Subcommands.Add(PaperCommand.Create());
        return command;
    }

    private static Command Edit()
    {
        var model = new Option<string>("--model") { Description = "Model file written by train.", DefaultValueFactory = _ => TrainCommand.DefaultModel };
        var images = new Option<int>("--images") { Description = "Rows to edit per measurement.", DefaultValueFactory = _ => 256 };
        var threads = CommonOptions.Threads();
        var command = new Command("edit", "Transformer-over-IDataView throughput versus the raw batched sampler, and 4-step versus 50-step latency.") { model, images, threads };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            using var chain = NpEditModelFile.Load(new Microsoft.ML.MLContext(), parse.GetValue(model)!);
            var editor = chain.OfType<NpEditTransformer>().Single();
            var r = EditBenchmark.Run(editor, parse.GetValue(images));
            Console.WriteLine($"pipeline {r.PipelineImagesPerSecond:F1} images/s, raw sampler {r.RawImagesPerSecond:F1} images/s: ratio {r.PipelineVsRawThroughput:F3} (goal >= 0.90)");
            Console.WriteLine($"latency: 4 steps {r.Latency4StepMs:F1} ms, 50 steps {r.Latency50StepMs:F1} ms: ratio {r.LatencyRatio4Vs50:F3} (goal <= 0.125)");
            JsonLine.Write(r);
            return 0;
        });
        return command;
    }

    private static Command Step()
    {
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 32 };
        var hidden = new Option<int>("--hidden") { Description = "Override the transformer width (0 = default config).", DefaultValueFactory = _ => 0 };
        var depth = new Option<int>("--depth") { Description = "Override the transformer depth.", DefaultValueFactory = _ => 0 };
        var patch = new Option<int>("--patch") { Description = "Override the patch size.", DefaultValueFactory = _ => 0 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per round.", DefaultValueFactory = _ => 10 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of timed steps, each followed by a matmul-peak measurement; mfu is the median of the rounds' ratios.", DefaultValueFactory = _ => 5 };
        var reference = new Option<bool>("--reference") { Description = "Include reference tokens (the editor's sequence)." };
        var threads = CommonOptions.Threads();
        var command = new Command("step", "FLOP/s of a generator training step versus the machine's dense matmul peak (mfu).")
        {
            batch, hidden, depth, patch, steps, rounds, reference, threads,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var config = FlowModelPresets.Shapes32(FlowModelPresets.PlaceholderVocabulary);
            var t = config.Transformer;
            if (parse.GetValue(hidden) > 0)
            {
                int h = parse.GetValue(hidden);
                int headDim = t.HeadDim;
                t = t with { Hidden = h, Heads = h / headDim };
            }
            if (parse.GetValue(depth) > 0) t = t with { Depth = parse.GetValue(depth) };
            if (parse.GetValue(patch) > 0) t = t with { PatchSize = parse.GetValue(patch) };
            config = config with { Transformer = t };
            var result = StepBenchmark.Run(config, parse.GetValue(batch), steps: parse.GetValue(steps), rounds: parse.GetValue(rounds), withReference: parse.GetValue(reference));
            Console.WriteLine($"config: hidden {t.Hidden}, depth {t.Depth}, heads {t.Heads}, patch {t.PatchSize}, batch {result.BatchSize}, {result.Parameters:N0} parameters, {result.Threads} threads");
            Console.WriteLine($"step: {result.MsPerStep:F1} ms, {result.StepGflop:F2} GFLOP -> {result.AchievedGflops:F1} GFLOP/s; matmul peak {result.PeakMatmulGflops:F1} GFLOP/s; mfu {result.Mfu:F3} (median of {result.Rounds} rounds, range {result.MfuMin:F3}-{result.MfuMax:F3}); peak memory {result.PeakMemoryMb:F0} MiB");
            JsonLine.Write(result);
            return 0;
        });
        return command;
    }
}
