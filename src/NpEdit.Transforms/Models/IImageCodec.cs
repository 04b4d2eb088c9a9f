using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Models;

/// <summary>
/// Maps images ([B,3,H,W] in [-1, 1]) to the generator's latent space and back. <see cref="Decode"/> must be
/// differentiable: NP-Edit's judge loss backpropagates through it into the generator. An autoencoder for real
/// latent models implements the same contract.
/// </summary>
public interface IImageCodec
{
    /// <summary>A short name stored in model packages (e.g. "pixel").</summary>
    string Name { get; }
    int LatentChannels { get; }
    /// <summary>Image side divided by latent side.</summary>
    int Downsample { get; }
    Tensor Encode(Tensor images);
    Tensor Decode(Tensor latents);
}
