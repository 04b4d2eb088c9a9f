using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class AdversarialImagesTests
{
    public AdversarialImagesTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Against_a_linear_loss_the_attack_ends_at_epsilon_times_the_gradient_sign()
    {
        var images = torch.zeros(2, 3, 4, 4);
        var w = torch.randn(2, 3, 4, 4, generator: torch.Generator.Default.manual_seed(3));
        var attacked = AdversarialImages.Perturb(images, x => x.mul(w).sum(), epsilon: 0.05, steps: 3);
        attacked.sub(w.sign().Mul(0.05)).abs().max().item<float>().Should().BeLessThan(1e-6f);
        attacked.requires_grad.Should().BeFalse();
        images.abs().max().item<float>().Should().Be(0f, "the input is not modified");
    }

    [Fact]
    public void The_attack_stays_in_the_pixel_range_and_within_epsilon_of_every_pixel()
    {
        var images = torch.rand(1, 3, 8, 8).Mul(2).Sub(1);
        images[0, 0, 0, 0] = torch.tensor(1f);
        var attacked = AdversarialImages.Perturb(images, x => x.Pow(2).sum(), epsilon: 0.1, steps: 4);
        attacked.max().item<float>().Should().BeLessThanOrEqualTo(1f);
        attacked.min().item<float>().Should().BeGreaterThanOrEqualTo(-1f);
        attacked.sub(images).abs().max().item<float>().Should().BeLessThanOrEqualTo(0.1f + 1e-6f);
        attacked.Pow(2).sum().item<float>().Should().BeGreaterThan(images.Pow(2).sum().item<float>(), "the loss went up");
    }

    [Fact]
    public void Zero_steps_or_zero_epsilon_leave_the_images_as_they_are()
    {
        var images = torch.rand(1, 3, 4, 4);
        AdversarialImages.Perturb(images, x => x.sum(), 0.1, 0).eq(images).all().item<bool>().Should().BeTrue();
        AdversarialImages.Perturb(images, x => x.sum(), 0, 3).eq(images).all().item<bool>().Should().BeTrue();
    }
}
