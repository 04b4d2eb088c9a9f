using NpEdit.Transforms.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Differentiable preprocessing: images in the project's [-1, 1] convention to the tower's normalised input.
/// Everything stays on tensors inside autograd (resize, rescale, normalise), so a loss on the judge's answer
/// has a gradient with respect to the original pixels. No clamping: a clamp would zero the gradient of
/// out-of-range pixels, which is exactly where a generator needs to be pushed back.
/// </summary>
public static class VlmImageProcessor
{
    /// <summary><c>[N,3,H,W]</c> (or <c>[3,H,W]</c>) in [-1,1] to <c>[N,3,S,S]</c> normalised with the config's mean/std.</summary>
    public static Tensor Preprocess(Tensor images, VlmConfig config)
    {
        using var scope = NewDisposeScope();
        var batch = images.dim() == 3 ? images.unsqueeze(0) : images;
        if (batch.dim() != 4 || batch.shape[1] != config.VisionConfig.NumChannels)
        {
            throw new ArgumentException($"Expected [N,{config.VisionConfig.NumChannels},H,W] images, got [{string.Join(",", images.shape)}].", nameof(images));
        }
        int size = config.VisionConfig.ImageSize;
        // Bilinear (antialiased when shrinking) rather than bicubic: bicubic needs a clamp against overshoot.
        var resized = ImageTensors.Resize(batch, size, size, ResizeMode.Bilinear);
        var unit = resized.Add(1.0).Mul(0.5); // [0,1], the range HF processors normalise from
        var mean = torch.tensor(config.ImageMean, dtype: unit.dtype, device: unit.device).view(1, -1, 1, 1);
        var std = torch.tensor(config.ImageStd, dtype: unit.dtype, device: unit.device).view(1, -1, 1, 1);
        return unit.sub(mean).div(std).MoveToOuterDisposeScope();
    }
}
