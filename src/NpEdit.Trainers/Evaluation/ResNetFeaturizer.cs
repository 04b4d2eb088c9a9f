using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Evaluation;

/// <summary>
/// 512-d pooled features of ImageNet-pretrained ResNet18, from the ONNX models that the NuGet package
/// Microsoft.ML.DnnImageFeaturizer.ResNet18 ships (its preprocessing model, then the network), run with ONNX
/// Runtime (CPU unless a CUDA provider is available). None of this project's models are involved, so the realism
/// score built on it cannot be gamed by our own judge or prior. Images are upscaled to 224 px (bilinear) and fed as
/// 0..255 planar RGB, as ML.NET's <c>ExtractPixels</c> would.
/// </summary>
public sealed class ResNetFeaturizer : IDisposable
{
    private const int Side = 224;
    private readonly InferenceSession _preprocess;
    private readonly InferenceSession _network;

    public ResNetFeaturizer(string? modelsFolder = null)
    {
        string root = modelsFolder ?? Path.Combine(AppContext.BaseDirectory, "DnnImageModels");
        string prep = Path.Combine(root, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
        string net = Path.Combine(root, "ResNet18Onnx", "ResNet18.onnx");
        if (!File.Exists(prep) || !File.Exists(net))
            throw new FileNotFoundException($"ResNet18 ONNX models not found under {root}; they come with the Microsoft.ML.DnnImageFeaturizer.ResNet18 package.");
        var options = new SessionOptions { IntraOpNumThreads = Math.Max(1, Environment.ProcessorCount) };
        _preprocess = new InferenceSession(prep, options);
        _network = new InferenceSession(net, options);
    }

    /// <summary>[N, 512] features as a flat row-major array.</summary>
    public float[] Features(IReadOnlyList<RgbImage> images)
    {
        var result = new float[images.Count * 512];
        for (int i = 0; i < images.Count; i++)
        {
            var input = new DenseTensor<float>(Upscaled(images[i]), new[] { 1, 3, Side, Side });
            using var prepared = _preprocess.Run(new[] { NamedOnnxValue.CreateFromTensor(_preprocess.InputMetadata.Keys.First(), input) });
            var normalised = prepared.First().AsTensor<float>();
            using var output = _network.Run(new[] { NamedOnnxValue.CreateFromTensor(_network.InputMetadata.Keys.First(), normalised) });
            var features = output.First().AsTensor<float>().ToArray();
            Array.Copy(features, 0, result, i * 512, 512);
        }
        return result;
    }

    private static float[] Upscaled(RgbImage image)
    {
        var planes = new float[3 * Side * Side];
        double sx = (double)image.Width / Side, sy = (double)image.Height / Side;
        for (int y = 0; y < Side; y++)
        {
            double fy = Math.Clamp((y + 0.5) * sy - 0.5, 0, image.Height - 1);
            int y0 = (int)fy, y1 = Math.Min(y0 + 1, image.Height - 1);
            double wy = fy - y0;
            for (int x = 0; x < Side; x++)
            {
                double fx = Math.Clamp((x + 0.5) * sx - 0.5, 0, image.Width - 1);
                int x0 = (int)fx, x1 = Math.Min(x0 + 1, image.Width - 1);
                double wx = fx - x0;
                for (int c = 0; c < 3; c++)
                {
                    double top = image.Pixels[(y0 * image.Width + x0) * 3 + c] * (1 - wx) + image.Pixels[(y0 * image.Width + x1) * 3 + c] * wx;
                    double bottom = image.Pixels[(y1 * image.Width + x0) * 3 + c] * (1 - wx) + image.Pixels[(y1 * image.Width + x1) * 3 + c] * wx;
                    planes[(c * Side + y) * Side + x] = (float)(top * (1 - wy) + bottom * wy);
                }
            }
        }
        return planes;
    }

    public void Dispose()
    {
        _preprocess.Dispose();
        _network.Dispose();
    }
}
