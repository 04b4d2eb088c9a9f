using NpEdit.Trainers.Benchmarks.Paper;
using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Tests.Editing;
using NpEdit.Transforms.IO;

namespace NpEdit.Trainers.Tests.Benchmarks;

public sealed class PaperRunnerTests : IClassFixture<PaperRunnerTests.Shared>
{
    public sealed class Shared : IDisposable
    {
        internal EditTestFixtures Fixtures { get; } = new();
        public void Dispose() => Fixtures.Dispose();
    }

    private readonly EditTestFixtures _f;

    public PaperRunnerTests(Shared shared) => _f = shared.Fixtures;

    [Fact]
    public void A_finished_row_is_cached_and_a_trained_model_is_never_trained_again()
    {
        string folder = Path.Combine(_f.Root, "paper-" + Guid.NewGuid().ToString("N"));
        var options = new PaperRunOptions
        {
            Folder = folder,
            EvalCount = 6,
            ImageSize = EditTestFixtures.Size,
            TrainingRows = 50,
            PriorFolder = _f.PriorFolder,
            BaseOptions = () => _f.Options(steps: 2, warmup: 1),
        };
        var spec = PaperRows.All("unused").Single(r => r.Name == "np-edit");
        PaperRowResult first;
        using (var runner = new PaperRunner(options)) first = runner.Run(spec, new Dictionary<string, PaperRowResult>());

        string model = Path.Combine(folder, "np-edit", "model.npedit");
        string result = Path.Combine(folder, "np-edit", "result.json");
        File.Exists(model).Should().BeTrue();
        File.Exists(result).Should().BeTrue();
        first.EvalCount.Should().Be(6);
        first.TrainSteps.Should().Be(2);
        first.EditSuccess.Low.Should().BeLessThanOrEqualTo(first.EditSuccess.Value);
        double.IsFinite(first.RealismFd.Value).Should().BeTrue();
        first.ByNovelty.Values.Sum(m => m.Count).Should().Be(6, "every evaluated row falls in one novelty group");
        first.ByNovelty.Keys.Should().BeSubsetOf(RowNovelty.Groups);
        var modelWritten = File.GetLastWriteTimeUtc(model);

        using (var runner = new PaperRunner(options))
        {
            runner.IsDone("np-edit").Should().BeTrue();
            runner.Run(spec, new Dictionary<string, PaperRowResult>()).Should().BeEquivalentTo(first, "a cached row is read, not recomputed");
        }

        File.Delete(result);
        using (var runner = new PaperRunner(options))
        {
            var again = runner.Run(spec, new Dictionary<string, PaperRowResult>());
            File.GetLastWriteTimeUtc(model).Should().Be(modelWritten, "the trained model is reused, not retrained");
            again.EditSuccess.Should().Be(first.EditSuccess);
            again.RealismFd.Value.Should().BeApproximately(first.RealismFd.Value, 1e-6);
        }
        Json.Deserialize<PaperRowResult>(File.ReadAllText(result), result).Name.Should().Be("np-edit");
    }

    [Fact]
    public void A_shared_warmup_gives_the_same_weights_as_each_row_training_its_own()
    {
        PaperRunOptions Options(string folder, bool share) => new()
        {
            Folder = folder,
            EvalCount = 4,
            ImageSize = EditTestFixtures.Size,
            TrainingRows = 50,
            PriorFolder = _f.PriorFolder,
            ShareWarmup = share,
            BaseOptions = () => _f.Options(steps: 3, warmup: 2),
        };
        var spec = PaperRows.All("unused").Single(r => r.Name == "no-identity");
        string shared = Path.Combine(_f.Root, "paper-shared-" + Guid.NewGuid().ToString("N"));
        string own = Path.Combine(_f.Root, "paper-own-" + Guid.NewGuid().ToString("N"));
        PaperRowResult withShared, withOwn;
        using (var runner = new PaperRunner(Options(shared, share: true))) withShared = runner.Run(spec, new Dictionary<string, PaperRowResult>());
        using (var runner = new PaperRunner(Options(own, share: false))) withOwn = runner.Run(spec, new Dictionary<string, PaperRowResult>());

        string Final(string folder, string row) => Path.Combine(folder, row, "checkpoints", "step-00000003", "student.safetensors");
        File.Exists(Path.Combine(shared, "warmup", "checkpoints", "step-00000002", "student.safetensors")).Should().BeTrue("the warm-up is trained once in its own folder");
        Directory.Exists(Path.Combine(own, "warmup")).Should().BeFalse();
        File.ReadAllBytes(Final(shared, "no-identity")).Should().Equal(File.ReadAllBytes(Final(own, "no-identity")),
            "the warm-up reads no ablation switch, so starting from the shared one changes nothing");
        withShared.EditSuccess.Should().Be(withOwn.EditSuccess);
        withShared.SharedWarmupSeconds.Should().BeGreaterThan(0);
        withShared.TrainSeconds.Should().BeGreaterThan(withShared.SharedWarmupSeconds, "the row's time includes the warm-up it started from");
        withOwn.SharedWarmupSeconds.Should().Be(0);

        var dataRow = PaperRows.All("unused").Single(r => r.Name == "data-10pct");
        using (var runner = new PaperRunner(Options(shared, share: true))) runner.Run(dataRow, new Dictionary<string, PaperRowResult>()).SharedWarmupSeconds
            .Should().Be(0, "a row on a fraction of the data warms up on that fraction");
    }

    [Fact]
    public void Claims_compare_intervals_and_ratios()
    {
        PaperRowResult Row(string name, double success, double lo, double hi, double fd = 1, double fdLo = 0.9, double fdHi = 1.1) => new()
        {
            Name = name,
            EditSuccess = new(success, lo, hi),
            Preserved = new(0.9, 0.85, 0.95),
            RealismFd = new(fd, fdLo, fdHi),
        };
        var rows = new Dictionary<string, PaperRowResult>
        {
            ["np-edit"] = Row("np-edit", 0.80, 0.77, 0.83),
            ["supervised-4"] = Row("supervised-4", 0.82, 0.79, 0.85),
            ["only-dmd"] = Row("only-dmd", 0.30, 0.27, 0.33),
            ["only-vlm"] = Row("only-vlm", 0.5, 0.4, 0.6, fd: 5, fdLo: 4.5, fdHi: 5.5),
        };
        var claims = PaperReport.Claims(rows);
        claims.Single(c => c.Claim.Contains("on par")).Holds.Should().BeTrue("0.80 / 0.82 = 0.976 >= 0.95");
        claims.Single(c => c.Claim.StartsWith("Only DMD")).Holds.Should().BeTrue();
        claims.Single(c => c.Claim.StartsWith("Only VLM")).Holds.Should().BeTrue();
        claims.Should().NotContain(c => c.Claim.StartsWith("Like for like"), "there is no row of the paper's editor");

        rows["np-edit-instruction"] = Row("np-edit-instruction", 0.41, 0.38, 0.44);
        PaperReport.Claims(rows).Single(c => c.Claim.StartsWith("Like for like")).Holds.Should().BeFalse("0.41 / 0.82 = 0.5 < 0.95");
    }

    [Fact]
    public void The_report_splits_rows_by_novelty_only_when_a_row_measured_it()
    {
        string docs = Directory.CreateTempSubdirectory("npedit-report-").FullName;
        try
        {
            var measured = new PaperRowResult
            {
                Name = "np-edit", Label = "NP-Edit", EvalCount = 10,
                ByNovelty = new() { [RowNovelty.Seen] = new CategoryMetrics(7, 0.9, 0.8, 0.7, 25), [RowNovelty.HeldOutPhrasing] = new CategoryMetrics(3, 0.5, 0.6, 0.4, 20) },
            };
            var older = new PaperRowResult { Name = "only-dmd", Label = "Only DMD", EvalCount = 10 };

            PaperReport.Write(new[] { older }, docs, runFolder: docs, lastProcessSeconds: 0, lossPlot: null);
            File.ReadAllText(Path.Combine(docs, "results.md")).Should().NotContain("By what training never showed");

            PaperReport.Write(new[] { measured, older }, docs, runFolder: docs, lastProcessSeconds: 0, lossPlot: null);
            var md = File.ReadAllText(Path.Combine(docs, "results.md"));
            md.Should().Contain("| system | seen | held_out_combination | held_out_phrasing |");
            md.Should().Contain("| NP-Edit | 0.90 / 0.80 | - | 0.50 / 0.60 |");
            md.Should().Contain("| Only DMD | - | - | - |", "a row cached before the split shows no numbers");
        }
        finally
        {
            Directory.Delete(docs, recursive: true);
        }
    }

    [Fact]
    public void The_run_time_counts_each_training_once_and_every_evaluation()
    {
        var rows = new[]
        {
            new PaperRowResult { Name = "np-edit", TrainSeconds = 100, EvalSeconds = 10 },
            new PaperRowResult { Name = "supervised-4", TrainSeconds = 100, EvalSeconds = 12 },
            new PaperRowResult { Name = "supervised-50", TrainSeconds = 100, EvalSeconds = 50, ReusesModelOf = "supervised-4" },
            new PaperRowResult { Name = "zero-shot", EvalSeconds = 8 },
        };
        PaperReport.TotalSeconds(rows).Should().Be(100 + 10 + 100 + 12 + 50 + 8);

        var sharing = new[]
        {
            new PaperRowResult { Name = "np-edit", TrainSeconds = 100, SharedWarmupSeconds = 30 },
            new PaperRowResult { Name = "only-dmd", TrainSeconds = 90, SharedWarmupSeconds = 30 },
            new PaperRowResult { Name = "data-1pct", TrainSeconds = 95 },
        };
        PaperReport.TotalSeconds(sharing).Should().Be(30 + 70 + 60 + 95, "the shared warm-up is counted once");
    }
}
