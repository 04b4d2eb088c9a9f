using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using NpEdit.Cli.Infrastructure;
using NpEdit.Trainers.Benchmarks;
using NpEdit.Trainers.Benchmarks.Paper;
using NpEdit.Trainers.Editing;
using NpEdit.Trainers.Training;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Cli.Commands;

/// <summary>
/// <c>npedit bench paper</c>: every row of the paper's tables on the default world (baselines, ablations, data and
/// judge scaling), each cached so an interrupted run resumes; then docs/results.md and docs/results.json.
/// </summary>
internal static class PaperCommand
{
    public static Command Create()
    {
        var folder = new Option<string>("--folder") { Description = "Run folder (per-row models and results are cached here).", DefaultValueFactory = _ => "runs/paper" };
        var docs = new Option<string>("--docs") { Description = "Where results.md and results.json go.", DefaultValueFactory = _ => "docs" };
        var count = CommonOptions.Count(1000);
        var only = new Option<string[]>("--row") { Description = "Run only these rows (repeatable); the report still includes every cached row.", AllowMultipleArgumentsPerToken = true };
        var steps = new Option<int>("--steps") { Description = "NP-Edit steps per row, copy warm-up included in the default proportion (0 = the trainer's default).", DefaultValueFactory = _ => 0 };
        var warmup = new Option<int?>("--warmup") { Description = "Copy warm-up steps of every NP-Edit row (default: the trainer's share of --steps)." };
        var shareWarmup = new Option<bool>("--share-warmup") { Description = "Train the copy warm-up once and start every full-data NP-Edit row from it.", DefaultValueFactory = _ => true };
        var weakJudge = new Option<string>("--weak-judge") { Description = "Folder of the smaller judge for the judge-scaling row.", DefaultValueFactory = _ => "models/shapes-judge-small" };
        var writer = new Option<string?>("--writer") { Description = "Edited-caption writer of the base recipe (default: the shipped models/shapes-writer, as in the main job)." };
        var noWriter = new Option<bool>("--no-writer") { Description = "Base recipe without a writer: every NP-Edit row reads the instruction (the table before 5 Dec)." };
        var threads = CommonOptions.Threads();
        var command = new Command("paper", "Reproduce the paper's tables on the default world and write docs/results.md.") { folder, docs, count, only, steps, warmup, shareWarmup, weakJudge, writer, noWriter, threads };
        command.SetAction(parse =>
        {
            using var logging = Logging.Create();
            var logger = logging.CreateLogger("paper");
            var clock = Stopwatch.StartNew();
            string runFolder = parse.GetValue(folder)!;
            int npEditSteps = parse.GetValue(steps);
            int? warmupSteps = parse.GetValue(warmup);
            if (parse.GetValue(noWriter) && parse.GetValue(writer) is not null) throw new ArgumentException("Give --writer or --no-writer, not both.");
            // The main job's recipe (without its prior refinement: every row is the 4-step editor the paper evaluates).
            string? writerFolder = parse.GetValue(noWriter) ? null : ShapesWriter.ResolveFolder(parse.GetValue(writer));
            var options = new PaperRunOptions
            {
                Folder = runFolder,
                EvalCount = parse.GetValue(count),
                Threads = parse.GetValue(threads),
                ShareWarmup = parse.GetValue(shareWarmup),
                Logger = logger,
                BaseOptions = () =>
                {
                    var o = new NpEditTrainer.Options();
                    if (writerFolder is not null) o.ReadWriterCaptions(writerFolder);
                    if (npEditSteps > 0)
                    {
                        // Keep the default share of copy warm-up, so a short run still learns to copy before editing.
                        o.WarmupCopySteps = (int)Math.Round((double)npEditSteps * o.WarmupCopySteps / o.Steps);
                        o.Steps = npEditSteps;
                    }
                    if (warmupSteps is { } w) o.WarmupCopySteps = w;
                    if (o.WarmupCopySteps >= o.Steps) throw new ArgumentException($"--warmup ({o.WarmupCopySteps}) must be below the NP-Edit steps ({o.Steps}).");
                    return o;
                },
                ProgressFor = (name, total) => new LineProgress(name, total),
            };
            options.BaseOptions(); // fails now, not after hours of earlier rows, when --warmup does not fit --steps
            var rows = PaperRows.All(parse.GetValue(weakJudge)!, baseReadsWriter: writerFolder is not null);
            var selected = parse.GetValue(only) is { Length: > 0 } names ? new HashSet<string>(names) : null;
            if (selected?.Except(rows.Select(r => r.Name)).ToList() is { Count: > 0 } unknown)
                throw new ArgumentException($"Unknown --row {string.Join(", ", unknown)}; the rows are: {string.Join(", ", rows.Select(r => r.Name))}.");
            var results = new Dictionary<string, PaperRowResult>();
            using var runner = new PaperRunner(options);
            // Rows run in table order whatever the order of --row: later rows read earlier ones (the 50-step
            // supervised row samples the 4-step row's model).
            foreach (var spec in rows)
            {
                if (selected is not null && !selected.Contains(spec.Name) && !runner.IsDone(spec.Name)) continue;
                results[spec.Name] = runner.Run(spec, results);
            }
            string? plot = PlotLosses(Path.Combine(runFolder, "np-edit", "losses.csv"), parse.GetValue(docs)!);
            var ordered = rows.Where(s => results.ContainsKey(s.Name)).Select(s => results[s.Name]).ToList();
            PaperReport.Write(ordered, parse.GetValue(docs)!, runFolder, clock.Elapsed.TotalSeconds, plot);
            foreach (var r in ordered)
            {
                Console.WriteLine($"{r.Label,-36} success {r.EditSuccess}  preserved {r.Preserved}  FD {r.RealismFd.Value:F2}");
            }
            Console.WriteLine($"Wrote {Path.Combine(parse.GetValue(docs)!, "results.md")} ({clock.Elapsed.TotalMinutes:F1} min this run).");
            JsonLine.Write(ordered.Select(r => new
            {
                name = r.Name,
                edit_success = r.EditSuccess,
                preserved = r.Preserved,
                exact = r.Exact,
                psnr = r.Psnr,
                realism_fd = r.RealismFd,
            }).ToList());
            return 0;
        });
        return command;
    }

    /// <summary>Plots the NP-Edit row's loss terms with the ScottPlot helper (a separate process, see NpEdit.Plots).</summary>
    private static string? PlotLosses(string csv, string docs)
    {
        if (!File.Exists(csv)) return null;
        var (steps, terms) = LossCsv.Read(csv);
        var wanted = new[] { "vlm", "dmd", "fake", "copy", "noop" }.Where(terms.ContainsKey).ToList();
        var series = wanted.Select(name =>
        {
            var points = steps.Zip(terms[name]).Where(p => double.IsFinite(p.Second)).ToList();
            return new { name, x = points.Select(p => p.First).ToArray(), y = Smooth(points.Select(p => p.Second).ToArray()) };
        }).Where(s => s.x.Length > 0).ToArray();
        string relative = "images/paper/np-edit-losses.png";
        string output = Path.GetFullPath(Path.Combine(docs, relative));
        string spec = Path.Combine(Path.GetTempPath(), $"npedit-plot-{Guid.NewGuid():N}.json");
        File.WriteAllText(spec, JsonSerializer.Serialize(new { title = "NP-Edit loss terms (moving average over 25 steps)", xLabel = "step", yLabel = "loss", series, output, logY = true }));
        string plotter = Path.Combine(AppContext.BaseDirectory, "plots", "npedit-plots.dll");
        var process = Process.Start(new ProcessStartInfo("dotnet", $"\"{plotter}\" \"{spec}\"") { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.WaitForExit();
        File.Delete(spec);
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"Loss plot failed: {process.StandardError.ReadToEnd()}");
            return null;
        }
        return relative;
    }

    private static double[] Smooth(double[] values, int window = 25)
    {
        var result = new double[values.Length];
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }

    /// <summary>Training progress as occasional lines on stderr (the paper run is long and mostly unattended).</summary>
    private sealed class LineProgress : IProgress<TrainingProgress>
    {
        private readonly string _name;
        private readonly long _every;

        public LineProgress(string name, long total)
        {
            _name = name;
            _every = total > 0 ? Math.Max(1, total / 20) : 100;
        }

        public void Report(TrainingProgress value)
        {
            if (value.Step % _every == 0) Console.Error.WriteLine($"[{_name}] {value}");
        }
    }
}
