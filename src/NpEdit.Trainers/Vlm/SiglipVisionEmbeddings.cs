using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Non-overlapping patch projection plus a learned position per patch (SigLIP has no CLS token); optionally after a
/// small convolutional stem (<see cref="VisionTowerConfig.ConvStemChannels"/>), which real SigLIP checkpoints lack.
/// </summary>
public sealed class SiglipVisionEmbeddings : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly ModuleList<Conv2d>? conv_stem;
    private readonly Conv2d patch_embedding;
    private readonly Embedding position_embedding;
#pragma warning restore IDE1006
    private readonly int _numPatches;

    public SiglipVisionEmbeddings(VisionTowerConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(SiglipVisionEmbeddings))
    {
        int channels = config.NumChannels;
        if (config.ConvStemChannels is { } stem)
        {
            conv_stem = new ModuleList<Conv2d>();
            for (int i = 0; i < stem.Length; i++)
            {
                conv_stem.Add(nn.Conv2d(channels, stem[i], 3, stride: config.ConvStemStrides![i], padding: 1L, bias: true, device: device, dtype: dtype));
                channels = stem[i];
            }
        }
        int kernel = config.PatchSize / config.ConvStemStride;
        patch_embedding = nn.Conv2d(channels, config.HiddenSize, kernel, stride: kernel, padding: 0L, bias: true, device: device, dtype: dtype);
        position_embedding = nn.Embedding(config.NumPatches, config.HiddenSize, device: device, dtype: dtype);
        _numPatches = config.NumPatches;
        RegisterComponents();
    }

    /// <summary><c>[N,C,H,W]</c> normalised pixels to <c>[N, patches, hidden]</c>, patches in row-major order.</summary>
    public override Tensor forward(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        var x = pixels;
        if (conv_stem is not null)
        {
            foreach (var conv in conv_stem) x = nn.functional.gelu(conv.call(x));
        }
        var patches = patch_embedding.call(x).flatten(2).transpose(1, 2); // [N, P, D]
        if (patches.shape[1] != _numPatches)
        {
            throw new ArgumentException($"Image gives {patches.shape[1]} patches but the tower has {_numPatches} positions; resize to the configured image_size first.");
        }
        // Embedding weight rows are the positions 0..P-1 in order, so adding the weight equals looking up arange(P).
        return patches.Add(position_embedding.weight!).MoveToOuterDisposeScope();
    }
}
