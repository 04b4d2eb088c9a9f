using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Models;

/// <summary>
/// The default codec: the latent is the image itself, scaled. Suits small images (the 32 px default world)
/// where a pixel-space flow model is cheap.
/// </summary>
public sealed class PixelCodec : IImageCodec
{
    public PixelCodec(double scale = 1.0) => Scale = scale;

    public double Scale { get; }
    public string Name => "pixel";
    public int LatentChannels => 3;
    public int Downsample => 1;

    public Tensor Encode(Tensor images) => Scale == 1.0 ? images.alias() : images.Mul(Scale);
    public Tensor Decode(Tensor latents) => Scale == 1.0 ? latents.alias() : latents.Div(Scale);
}
