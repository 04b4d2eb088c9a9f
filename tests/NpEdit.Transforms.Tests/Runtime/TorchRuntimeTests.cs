using Microsoft.ML;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Tests.Runtime;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void TorchSharp_initialises_and_reports_itself()
    {
        TorchRuntime.EnsureInitialized();
        var info = TorchRuntime.Describe();
        info.TorchSharpVersion.Should().StartWith("0.107");
        info.LibTorchVersion.Should().StartWith("2.10");
        info.Threads.Should().BeGreaterThan(0);
        info.Device.Should().Be("cpu");
        info.ToString().Should().Contain("TorchSharp 0.107");
    }

    [Fact]
    public void A_small_network_runs_forward_and_backward_and_learns()
    {
        TorchRuntime.EnsureInitialized();
        torch.manual_seed(1);
        using var model = nn.Sequential(nn.Linear(4, 16), nn.GELU(), nn.Linear(16, 1));
        using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
        using var x = torch.randn(64, 4);
        using var y = x.sum(1, keepdim: true);
        double first = 0, last = 0;
        for (int step = 0; step < 200; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.call(x), y);
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        model.parameters().All(p => p.grad is not null).Should().BeTrue();
        last.Should().BeLessThan(first * 0.05);
    }

    [Fact]
    public void Bfloat16_and_the_meta_device_work()
    {
        TorchRuntime.EnsureInitialized();
        using var a = torch.ones(8, 8, dtype: ScalarType.BFloat16);
        using var b = a.matmul(a);
        b[0, 0].to(ScalarType.Float32).item<float>().Should().Be(8f);
        using var meta = torch.empty(new long[] { 1000, 1000, 1000 }, device: torch.META);
        meta.device_type.Should().Be(DeviceType.META);
    }

    [Fact]
    public void Cpu_option_always_gives_the_cpu()
    {
        TorchRuntime.ResolveDevice(DeviceOption.Cpu, gpuDeviceId: 0, fallbackToCpu: false, cudaAvailable: true).type.Should().Be(DeviceType.CPU);
    }

    [Fact]
    public void Auto_without_a_gpu_id_uses_cuda_only_when_available()
    {
        TorchRuntime.ResolveDevice(DeviceOption.Auto, null, false, cudaAvailable: false).type.Should().Be(DeviceType.CPU);
        TorchRuntime.ResolveDevice(DeviceOption.Auto, null, false, cudaAvailable: true).type.Should().Be(DeviceType.CUDA);
    }

    [Fact]
    public void A_gpu_id_picks_that_cuda_device()
    {
        var device = TorchRuntime.ResolveDevice(DeviceOption.Auto, gpuDeviceId: 1, fallbackToCpu: false, cudaAvailable: true);
        device.type.Should().Be(DeviceType.CUDA);
        device.index.Should().Be(1);
    }

    [Fact]
    public void Asking_for_cuda_without_it_is_a_clear_error_unless_fallback_is_allowed()
    {
        var act = () => TorchRuntime.ResolveDevice(DeviceOption.Cuda, null, fallbackToCpu: false, cudaAvailable: false);
        act.Should().Throw<InvalidOperationException>().WithMessage("*CUDA was requested*FallbackToCpu*");
        var act2 = () => TorchRuntime.ResolveDevice(DeviceOption.Auto, 0, fallbackToCpu: false, cudaAvailable: false);
        act2.Should().Throw<InvalidOperationException>();
        TorchRuntime.ResolveDevice(DeviceOption.Cuda, null, fallbackToCpu: true, cudaAvailable: false).type.Should().Be(DeviceType.CPU);
    }

    [Fact]
    public void MLContext_settings_are_honoured_on_this_cpu_machine()
    {
        var context = new MLContext { GpuDeviceId = 0, FallbackToCpu = true };
        if (!torch.cuda.is_available())
        {
            TorchRuntime.ResolveDevice(DeviceOption.Auto, context).type.Should().Be(DeviceType.CPU);
            context.FallbackToCpu = false;
            var act = () => TorchRuntime.ResolveDevice(DeviceOption.Auto, context);
            act.Should().Throw<InvalidOperationException>();
        }
        else
        {
            TorchRuntime.ResolveDevice(DeviceOption.Auto, context).type.Should().Be(DeviceType.CUDA);
        }
    }
}
