using NpEdit.Transforms.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests;

/// <summary>Tiny flow priors for tests.</summary>
internal static class TestPriors
{
    /// <summary>
    /// A tiny prior over <paramref name="corpus"/>'s vocabulary whose output layers are random instead of zero: a fresh
    /// model predicts v = 0 and its blocks are the identity, so without this no path would carry signal.
    /// </summary>
    public static FlowModel WithRandomOutputLayers(IEnumerable<string> corpus, int imageSize, int seed)
    {
        TorchRuntime.EnsureInitialized();
        torch.manual_seed(seed);
        var prior = new FlowModel(FlowModelPresets.Tiny(TextTokenizer.BuildVocabulary(corpus), imageSize));
        using (no_grad())
        {
            foreach (var (name, p) in prior.named_parameters())
                if (name.Contains("proj_out") || name.Contains("adaLN") || name.Contains("norm_out_modulation")) p.normal_(0, 0.05);
        }
        return prior;
    }
}
