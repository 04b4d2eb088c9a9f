using Microsoft.ML;
using NpEdit.Trainers.Editing;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Tests.Vlm;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Editing;

/// <summary>A tiny prior and a tiny judge saved to a temp folder, and small world data, for NP-Edit tests.</summary>
internal sealed class EditTestFixtures : IDisposable
{
    public const int Size = 16;

    public EditTestFixtures()
    {
        TorchRuntime.EnsureInitialized();
        Root = Directory.CreateTempSubdirectory("npedit-edit-").FullName;
        var corpus = Enumerable.Range(0, 200).SelectMany(i =>
        {
            var e = WorldRows.Edit(5, i, WorldSplit.Train);
            return new[] { e.Instruction, e.SourceCaption, e.EditedCaption };
        }).Append("do nothing.");
        using (var prior = TestPriors.WithRandomOutputLayers(corpus, Size, seed: 2))
        {
            FlowModelStore.Save(prior, PriorFolder);
        }
        using var judge = TestVlms.ModelForTokenizer(seed: 4);
        JudgeStore.Save(judge, TestVlms.Tokenizer, JudgeFolder);
    }

    public string Root { get; }
    public string PriorFolder => Path.Combine(Root, "prior");
    public string JudgeFolder => Path.Combine(Root, "judge");

    public IDataView Rows(MLContext context, int count = 24) => WorldDataViews.TrainingRows(context, count, seed: 3, size: Size);

    public NpEditTrainer.Options Options(int steps = 3, int warmup = 1) => new()
    {
        PriorFolder = PriorFolder,
        JudgeFolder = JudgeFolder,
        Steps = steps,
        WarmupCopySteps = warmup,
        BatchSize = 3,
        FakeScoreUpdates = 2,
        Seed = 9,
        // One intra-op thread: bit-identical resume needs the same reduction order in both runs, whatever else
        // the test host runs in parallel.
        Threads = 1,
        Device = DeviceOption.Cpu,
        DoNothingProbability = 0.3,
        LearningRate = 1e-3,
        FakeLearningRate = 1e-3,
    };

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
