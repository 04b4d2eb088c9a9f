using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class RealArchitectureTests
{
    [Fact]
    public void LlavaOneVision_Qwen2_0_5B_on_the_meta_device_has_the_checkpoint_keys_and_shapes()
    {
        TorchRuntime.EnsureInitialized();
        // meta tensors have shapes but no storage: the 0.9B-parameter model costs no memory and no time.
        using var model = new LlavaOnevisionModel(VlmConfig.LlavaOneVisionQwen2_0_5B, device: torch.META);
        var actual = model.state_dict()
            .Select(p => $"{p.Key} shape: [{string.Join(", ", p.Value.shape)}]")
            .OrderBy(l => l, StringComparer.Ordinal)
            .ToList();
        var approved = File.ReadAllLines(ApprovedListing()).Where(l => l.Length > 0).ToList();
        actual.Except(approved).Should().BeEmpty("the model must have no key or shape the checkpoint lacks");
        approved.Except(actual).Should().BeEmpty("the checkpoint must have no key or shape the model lacks");
        actual.Should().Equal(approved);
        model.state_dict().Values.Sum(t => t.numel()).Should().Be(893_675_552);
    }

    // Read next to this source file: the listing is a checked-in specification, not a build output.
    private static string ApprovedListing([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Approvals", "llava_onevision_qwen2_0_5b.approved.txt");
}
