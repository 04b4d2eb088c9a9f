using Microsoft.ML;
using NpEdit.Trainers.Vlm;

namespace NpEdit.Trainers.Tests.Vlm;

[Collection(DeterminismCollection.Name)]
public sealed class DecoderProbesTests
{
    private static JudgeTrainer.Options Options(string? checkpoints = null)
    {
        var o = JudgeSceneTokenTests.Options(checkpoints);
        o.Steps = 4;
        o.SceneTokenSteps = 4;
        o.AlignmentSteps = 0;
        o.SceneTokenStageSteps = 0;
        o.ComparisonProbeWeight = 1.0;
        o.CountProbeWeight = 1.0;
        return o;
    }

    [Fact]
    public void Scene_token_steps_with_both_probes_log_their_losses_checkpoint_them_and_resume_exactly()
    {
        var context = new MLContext(seed: 0);
        string folder = Path.Combine(Path.GetTempPath(), "judge-probes-" + Guid.NewGuid().ToString("N"));
        try
        {
            var straightTrainer = new JudgeTrainer(context, Options());
            using var straight = straightTrainer.Fit(JudgeSceneTokenTests.Rows(context));
            straightTrainer.LossHistory.Should().Contain(h => h.Losses.ContainsKey("compare_probe") && double.IsFinite(h.Losses["compare_probe"]),
                "a batch of world judge rows holds two-image questions");
            straightTrainer.LossHistory.Should().OnlyContain(h => h.Losses.ContainsKey("count_probe") && double.IsFinite(h.Losses["count_probe"]),
                "every scene-token row has an image to count");
            // Ten classes from a small random head: the first loss is near ln 10.
            straightTrainer.LossHistory[0].Losses["count_probe"].Should().BeInRange(1.0, 4.0);

            using var cancel = new CancellationTokenSource();
            var first = Options(folder);
            first.CheckpointInterval = 2;
            first.Cancellation = cancel.Token;
            first.Progress = new SynchronousProgress(p => { if (p.Step == 2) cancel.Cancel(); });
            var interrupted = () => new JudgeTrainer(context, first).Fit(JudgeSceneTokenTests.Rows(context));
            interrupted.Should().Throw<OperationCanceledException>();
            foreach (var group in new[] { "comparison_probe", "count_probe" })
            {
                Directory.EnumerateFiles(folder, group + ".safetensors", SearchOption.AllDirectories).Should().NotBeEmpty();
            }
            using var resumed = new JudgeTrainer(context, Options(folder)).Fit(JudgeSceneTokenTests.Rows(context));
            foreach (var (key, value) in straight.Model.state_dict())
            {
                resumed.Model.state_dict()[key].eq(value).all().item<bool>().Should().BeTrue($"{key} is bit-identical after resume");
            }
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
