using System.Diagnostics;
using NpEdit.Trainers.Losses;
using NpEdit.Trainers.Training;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Benchmarks;

/// <summary>What <see cref="StepBenchmark"/> measured.</summary>
public sealed record StepBenchmarkResult(
    double Mfu,
    double MsPerStep,
    double PeakMemoryMb,
    double AchievedGflops,
    double PeakMatmulGflops,
    double StepGflop,
    int BatchSize,
    int Threads,
    long Parameters,
    int Rounds,
    double MfuMin,
    double MfuMax);

/// <summary>
/// Measures a generator training step (forward, backward, optimizer) against the machine's dense matmul peak, in
/// one process and on the same threads. The two are measured in alternating rounds and the median of the per-round
/// ratios is reported: on a shared or throttled machine the speed drifts by tens of percent within a minute, and a
/// peak measured once, before or after the steps, made single runs range from 0.28 to 0.40.
/// </summary>
public static class StepBenchmark
{
    /// <param name="steps">Timed steps per round.</param>
    /// <param name="rounds">Rounds of (steps, matmul peak).</param>
    public static StepBenchmarkResult Run(FlowModelConfig config, int batchSize, int warmup = 3, int steps = 10, int rounds = 5, bool withReference = false)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "At least one timed step per round.");
        if (rounds < 1) throw new ArgumentOutOfRangeException(nameof(rounds), rounds, "At least one round.");
        TorchRuntime.EnsureInitialized();
        torch.manual_seed(0);
        using var model = new FlowModel(config);
        model.train();
        var named = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        using var optimizer = new AdamW(named, 1e-4);
        var prompts = Enumerable.Range(0, batchSize).Select(i => $"a large red circle in the top left and a small blue square on a gray background {i % 3}").ToList();
        int s = config.Transformer.LatentSize;

        void Step(long i)
        {
            using var scope = NewDisposeScope();
            using var generator = StepRandom.Torch(0, i, 0);
            var x0 = torch.rand(new long[] { batchSize, 3, s, s }, generator: generator).Mul(2).Sub(1);
            var reference = withReference ? torch.rand(new long[] { batchSize, 3, s, s }, generator: generator).Mul(2).Sub(1) : null;
            var t = torch.rand(batchSize, generator: generator);
            var noise = torch.randn(x0.shape, generator: generator);
            optimizer.ZeroGrad();
            var text = model.EncodeText(prompts);
            var loss = FlowMatchingLoss.Compute(model, x0, text, t, noise, reference);
            loss.backward();
            optimizer.ClipGradNorm(1.0);
            optimizer.Step();
        }

        for (int i = 0; i < warmup; i++) Step(i);
        double flops = FlopCounter.TrainingStep(config, batchSize, withReference);
        var msPerStep = new double[rounds];
        var peaks = new double[rounds];
        var ratios = new double[rounds];
        long next = warmup;
        for (int round = 0; round < rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++) Step(next++);
            msPerStep[round] = clock.Elapsed.TotalMilliseconds / steps;
            peaks[round] = MatmulPeak();
            ratios[round] = flops / (msPerStep[round] / 1000.0) / peaks[round];
        }

        double ms = Median(msPerStep);
        return new StepBenchmarkResult(
            Mfu: Median(ratios),
            MsPerStep: ms,
            PeakMemoryMb: PeakResidentMb(),
            AchievedGflops: flops / (ms / 1000.0) / 1e9,
            PeakMatmulGflops: Median(peaks) / 1e9,
            StepGflop: flops / 1e9,
            BatchSize: batchSize,
            Threads: torch.get_num_threads(),
            Parameters: model.parameters().Sum(p => p.numel()),
            Rounds: rounds,
            MfuMin: ratios.Min(),
            MfuMax: ratios.Max());
    }

    /// <summary>The middle value (the mean of the two middle values for an even count).</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("No values.", nameof(values));
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Dense float32 matmul FLOP/s: the best of several 1024–2048 square products.</summary>
    public static double MatmulPeak()
    {
        double best = 0;
        foreach (int n in new[] { 1024, 2048 })
        {
            using var a = torch.randn(n, n);
            using var b = torch.randn(n, n);
            using (var warm = a.matmul(b)) { }
            for (int rep = 0; rep < 3; rep++)
            {
                var clock = Stopwatch.StartNew();
                int inner = n == 1024 ? 8 : 2;
                for (int i = 0; i < inner; i++)
                {
                    using var c = a.matmul(b);
                }
                double seconds = clock.Elapsed.TotalSeconds;
                best = Math.Max(best, inner * 2.0 * n * n * n / seconds);
            }
        }
        return best;
    }

    /// <summary>Peak resident set size of this process (VmHWM), in MiB; 0 where /proc is unavailable.</summary>
    public static double PeakResidentMb()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return 0;
        foreach (var line in File.ReadLines(status))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
                return kb / 1024.0;
            }
        }
        return 0;
    }
}
