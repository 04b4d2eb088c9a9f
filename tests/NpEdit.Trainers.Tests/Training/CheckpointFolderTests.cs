using Microsoft.Extensions.Logging;
using NpEdit.Trainers.Training;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Training;

public sealed class CheckpointFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("npedit-ckpt-").FullName;

    public CheckpointFolderTests() => TorchRuntime.EnsureInitialized();
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Keeps_the_newest_checkpoints_and_loads_the_latest()
    {
        var folder = new CheckpointFolder(_dir, keep: 2);
        folder.TryLoadLatest().Should().BeNull();
        for (long step = 10; step <= 30; step += 10)
        {
            folder.Save(step, new Dictionary<string, IReadOnlyDictionary<string, Tensor>> { ["model"] = new Dictionary<string, Tensor> { ["w"] = TensorMath.Full(new long[] { 2 }, step) } },
                new Dictionary<string, string> { ["note"] = $"s{step}" });
        }
        Directory.GetDirectories(_dir, "step-*").Select(Path.GetFileName).Should().BeEquivalentTo("step-00000020", "step-00000030");
        var latest = folder.TryLoadLatest()!;
        latest.Step.Should().Be(30);
        latest.State["note"].Should().Be("s30");
        latest.Load("model")["w"][0].item<float>().Should().Be(30f);
        Directory.GetFileSystemEntries(_dir, "*.tmp").Should().BeEmpty("temporary files never outlive a save");
    }

    [Fact]
    public void A_checkpoint_copied_from_another_folder_becomes_the_latest_there()
    {
        var source = new CheckpointFolder(Path.Combine(_dir, "shared"));
        source.Save(7, new Dictionary<string, IReadOnlyDictionary<string, Tensor>> { ["model"] = new Dictionary<string, Tensor> { ["w"] = TensorMath.Full(new long[] { 3 }, 7.0) } },
            new Dictionary<string, string> { ["seconds"] = "12.5" });
        var target = new CheckpointFolder(Path.Combine(_dir, "row"));
        target.CopyFrom(source.TryLoadLatest()!);

        var copied = target.TryLoadLatest()!;
        copied.Step.Should().Be(7);
        copied.Folder.Should().StartWith(target.Path, "the row owns its copy, so its own later saves and pruning never touch the shared one");
        copied.State["seconds"].Should().Be("12.5");
        copied.Load("model")["w"].data<float>().ToArray().Should().Equal(7f, 7f, 7f);
        source.TryLoadLatest()!.Step.Should().Be(7);
        Directory.GetFileSystemEntries(target.Path, ".*.tmp").Should().BeEmpty();
    }

    [Fact]
    public void A_dangling_latest_pointer_is_reported()
    {
        File.WriteAllText(Path.Combine(_dir, "latest"), "step-00000099");
        var act = () => new CheckpointFolder(_dir).TryLoadLatest();
        act.Should().Throw<InvalidDataException>().WithMessage("*step-00000099*does not exist*");
    }

    [Fact]
    public void Step_randomness_depends_only_on_seed_step_and_stream()
    {
        using var a = StepRandom.Torch(1, 5, 2);
        using var b = StepRandom.Torch(1, 5, 2);
        using var c = StepRandom.Torch(1, 6, 2);
        var x = torch.randn(4, generator: a);
        x.eq(torch.randn(4, generator: b)).all().item<bool>().Should().BeTrue();
        x.eq(torch.randn(4, generator: c)).all().item<bool>().Should().BeFalse();
        StepRandom.Managed(1, 5, 0).Next().Should().Be(StepRandom.Managed(1, 5, 0).Next());
    }

    [Fact]
    public void A_checkpoint_records_its_thread_count_and_a_resume_on_another_count_is_warned_about()
    {
        var folder = new CheckpointFolder(_dir);
        folder.Save(5, new Dictionary<string, IReadOnlyDictionary<string, Tensor>>(), new Dictionary<string, string>());
        var written = folder.TryLoadLatest()!;
        written.Threads.Should().Be(torch.get_num_threads());
        var same = new CollectingLogger();
        written.LogResume(same);
        same.Messages.Should().ContainSingle().Which.Should().Contain("at step 5");

        var other = written with { State = new Dictionary<string, string>(written.State) { [Checkpoint.ThreadsKey] = (torch.get_num_threads() + 1).ToString() } };
        var warned = new CollectingLogger();
        other.LogResume(warned);
        warned.Messages.Should().HaveCount(2);
        warned.Messages[1].Should().Contain($"written with {torch.get_num_threads() + 1} torch threads").And.Contain($"has {torch.get_num_threads()}");

        var old = written with { State = new Dictionary<string, string> { ["step"] = "5" } };
        old.Threads.Should().BeNull("checkpoints from before the count was recorded do not know it");
        var quiet = new CollectingLogger();
        old.LogResume(quiet);
        quiet.Messages.Should().ContainSingle();
    }

    private sealed class CollectingLogger : ILogger
    {
        public List<string> Messages { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
