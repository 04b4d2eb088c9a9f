using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Models;

/// <summary>Latent images to token sequences and back (non-overlapping p x p patches, row-major).</summary>
public static class Patchify
{
    /// <summary>[B, C, H, W] -> [B, (H/p)(W/p), C·p·p].</summary>
    public static Tensor ToTokens(Tensor x, int patch)
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        using var scope = NewDisposeScope();
        var t = x.view(b, c, h / patch, patch, w / patch, patch).permute(0, 2, 4, 1, 3, 5).reshape(b, (h / patch) * (w / patch), c * patch * patch);
        return t.MoveToOuterDisposeScope();
    }

    /// <summary>[B, N, C·p·p] -> [B, C, H, W] for a square grid of side <paramref name="grid"/>.</summary>
    public static Tensor FromTokens(Tensor tokens, int patch, int channels, int grid)
    {
        long b = tokens.shape[0];
        using var scope = NewDisposeScope();
        var x = tokens.view(b, grid, grid, channels, patch, patch).permute(0, 3, 1, 4, 2, 5).reshape(b, channels, grid * patch, grid * patch);
        return x.MoveToOuterDisposeScope();
    }
}
