using Microsoft.ML.Data;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Tests.Imaging;

public sealed class ImageTensorsTests
{
    public ImageTensorsTests() => TorchRuntime.EnsureInitialized();

    private static RgbImage Gradient(int w, int h)
    {
        var pixels = new byte[w * h * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 37 % 256);
        return new RgbImage(w, h, pixels);
    }

    [Fact]
    public void Tensor_round_trip_is_exact_and_in_range()
    {
        var image = Gradient(5, 3);
        using var t = ImageTensors.ToTensor(image);
        t.shape.Should().Equal(3, 3, 5);
        t.min().item<float>().Should().BeGreaterThanOrEqualTo(-1f);
        t.max().item<float>().Should().BeLessThanOrEqualTo(1f);
        t[0, 0, 0].item<float>().Should().BeApproximately(image.Pixels[0] / 127.5f - 1, 1e-6f);
        t[2, 1, 4].item<float>().Should().BeApproximately(image.Pixels[(1 * 5 + 4) * 3 + 2] / 127.5f - 1, 1e-6f);
        ImageTensors.ToRgbImage(t).Pixels.Should().Equal(image.Pixels);
    }

    [Fact]
    public void Batches_stack_and_unstack()
    {
        var a = Gradient(4, 4);
        var b = RgbImage.Filled(4, 4, 10, 20, 30);
        using var batch = ImageTensors.ToBatch(new[] { a, b });
        batch.shape.Should().Equal(2, 3, 4, 4);
        var back = ImageTensors.ToRgbImages(batch);
        back[0].Pixels.Should().Equal(a.Pixels);
        back[1].Pixels.Should().Equal(b.Pixels);
        var act = () => ImageTensors.ToBatch(new[] { a, Gradient(5, 4) });
        act.Should().Throw<ArgumentException>().WithMessage("*Image 1 is 5x4*");
    }

    [Fact]
    public void Resizing_keeps_flat_colours_and_range()
    {
        using var flat = ImageTensors.ToTensor(RgbImage.Filled(40, 20, 200, 50, 0));
        foreach (var mode in new[] { ResizeMode.Bilinear, ResizeMode.Bicubic, ResizeMode.Nearest })
        {
            using var small = ImageTensors.Resize(flat, 8, 16, mode);
            small.shape.Should().Equal(3, 8, 16);
            ImageTensors.ToRgbImage(small).GetPixel(3, 3).Should().Be(((byte)200, (byte)50, (byte)0), mode.ToString());
            using var big = ImageTensors.Resize(flat, 64, 64, mode);
            big.abs().max().item<float>().Should().BeLessThanOrEqualTo(1f);
        }
    }

    [Fact]
    public void Resizing_is_differentiable()
    {
        using var x = torch.rand(1, 3, 8, 8).requires_grad_(true);
        using var y = ImageTensors.Resize(x, 4, 4, ResizeMode.Bilinear);
        y.sum().backward();
        x.grad.Should().NotBeNull();
        x.grad!.abs().sum().item<float>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void Center_crop_takes_the_middle()
    {
        using var t = TensorMath.Arange(0, 36, dtype: ScalarType.Float32).view(1, 6, 6);
        using var c = ImageTensors.CenterCrop(t, 2, 4);
        c.shape.Should().Equal(1, 2, 4);
        c[0, 0, 0].item<float>().Should().Be(13f);
        using var rc = ImageTensors.ResizeAndCenterCrop(torch.zeros(3, 10, 20), 8, 8);
        rc.shape.Should().Equal(3, 8, 8);
    }

    [Fact]
    public void MLImage_interop_round_trips_rgba_and_reads_bgra()
    {
        var image = Gradient(7, 5);
        using var ml = MLImageInterop.ToMLImage(image);
        ml.Width.Should().Be(7);
        ml.PixelFormat.Should().Be(MLPixelFormat.Rgba32);
        MLImageInterop.ToRgbImage(ml).Pixels.Should().Equal(image.Pixels);

        var bgra = new byte[] { 30, 20, 10, 255 };
        using var b = MLImage.CreateFromPixels(1, 1, MLPixelFormat.Bgra32, bgra);
        MLImageInterop.ToRgbImage(b).GetPixel(0, 0).Should().Be(((byte)10, (byte)20, (byte)30));
    }

    [Fact]
    public void Png_encoding_round_trips()
    {
        var image = Gradient(9, 4);
        var decoded = ImageDecoding.Decode(ImageEncoding.EncodePng(image), "encoded");
        decoded.Pixels.Should().Equal(image.Pixels);
    }
}
