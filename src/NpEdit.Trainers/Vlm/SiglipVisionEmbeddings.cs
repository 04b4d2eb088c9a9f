using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>Non-overlapping patch projection plus a learned position per patch (SigLIP has no CLS token).</summary>
public sealed class SiglipVisionEmbeddings : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly Conv2d patch_embedding;
    private readonly Embedding position_embedding;
#pragma warning restore IDE1006
    private readonly int _numPatches;

    public SiglipVisionEmbeddings(VisionTowerConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(SiglipVisionEmbeddings))
    {
        patch_embedding = nn.Conv2d(config.NumChannels, config.HiddenSize, config.PatchSize, stride: config.PatchStride ?? config.PatchSize,
            padding: config.PatchPadding, bias: true, device: device, dtype: dtype);
        position_embedding = nn.Embedding(config.NumPatches, config.HiddenSize, device: device, dtype: dtype);
        _numPatches = config.NumPatches;
        RegisterComponents();
    }

    /// <summary><c>[N,C,H,W]</c> normalised pixels to <c>[N, patches, hidden]</c>, patches in row-major order.</summary>
    public override Tensor forward(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        var patches = patch_embedding.call(pixels).flatten(2).transpose(1, 2); // [N, P, D]
        if (patches.shape[1] != _numPatches)
        {
            throw new ArgumentException($"Image gives {patches.shape[1]} patches but the tower has {_numPatches} positions; resize to the configured image_size first.");
        }
        // Embedding weight rows are the positions 0..P-1 in order, so adding the weight equals looking up arange(P).
        return patches.add(position_embedding.weight!).MoveToOuterDisposeScope();
    }
}
