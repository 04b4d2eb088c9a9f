using Microsoft.ML;
using TorchSharp;

namespace NpEdit.Transforms.Runtime;

/// <summary>
/// The one place that initialises TorchSharp's native runtime, reports it, and turns a device option into a device.
/// </summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static bool _initialized;

    /// <summary>
    /// Loads the native library once. When the load fails, the exception says why in words a user can act on
    /// (TorchSharp's own message blames a missing package even when the real cause is the C++ runtime).
    /// </summary>
    public static void EnsureInitialized()
    {
        if (_initialized)
        {
            return;
        }
        lock (Gate)
        {
            if (_initialized)
            {
                return;
            }
            try
            {
                // Any torch call triggers the static constructor that loads libLibTorchSharp.so and libtorch.
                _ = torch.get_num_threads();
            }
            catch (TypeInitializationException ex)
            {
                throw new InvalidOperationException(
                    "TorchSharp's native library failed to load. On Debian 12 / Ubuntu 22.04 the usual cause is " +
                    "libLibTorchSharp.so requiring GLIBCXX_3.4.32; the build marks that requirement weak in the output copy " +
                    "(build/TorchSharpNative.targets). If you copied binaries by hand, rebuild or publish through MSBuild. " +
                    "Run `ldd runtimes/linux-x64/native/libLibTorchSharp.so` to see the missing dependency. " +
                    "See docs/torchsharp-on-debian.md.", ex);
            }
            _initialized = true;
        }
    }

    /// <summary>Sets the intra-op thread count (0 keeps libtorch's default).</summary>
    public static void SetThreads(int threads)
    {
        EnsureInitialized();
        if (threads > 0)
        {
            torch.set_num_threads(threads);
        }
    }

    /// <summary>Versions, threads and CUDA state, with the device that <paramref name="device"/> resolves to.</summary>
    public static TorchRuntimeInfo Describe(torch.Device? device = null)
    {
        EnsureInitialized();
        bool cuda = torch.cuda.is_available();
        return new TorchRuntimeInfo(
            TorchSharpVersion: typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "unknown",
            LibTorchVersion: torch.__version__,
            Threads: torch.get_num_threads(),
            InteropThreads: torch.get_num_interop_threads(),
            CudaAvailable: cuda,
            CudaDeviceCount: cuda ? torch.cuda.device_count() : 0,
            Device: (device ?? torch.CPU).ToString());
    }

    /// <summary>
    /// Picks the device. <see cref="DeviceOption.Cuda"/>, or <see cref="DeviceOption.Auto"/> with
    /// <c>MLContext.GpuDeviceId</c> set, asks for CUDA; when CUDA is missing that is an error unless
    /// <c>MLContext.FallbackToCpu</c> is true (the same rule ML.NET's own TorchSharp trainers follow).
    /// <see cref="DeviceOption.Auto"/> without a GPU id uses CUDA only when it is available.
    /// </summary>
    public static torch.Device ResolveDevice(DeviceOption option, MLContext? context = null) =>
        ResolveDevice(option, context?.GpuDeviceId, context?.FallbackToCpu ?? false, IsCudaAvailable());

    /// <summary>The pure decision behind <see cref="ResolveDevice(DeviceOption, MLContext?)"/>, testable without a GPU.</summary>
    public static torch.Device ResolveDevice(DeviceOption option, int? gpuDeviceId, bool fallbackToCpu, bool cudaAvailable)
    {
        EnsureInitialized();
        int index = gpuDeviceId ?? 0;
        bool wantsCuda = option == DeviceOption.Cuda || (option == DeviceOption.Auto && gpuDeviceId is not null);
        if (option == DeviceOption.Cpu)
        {
            return torch.CPU;
        }
        if (cudaAvailable)
        {
            return option == DeviceOption.Auto && gpuDeviceId is null ? new torch.Device(DeviceType.CUDA, 0) : new torch.Device(DeviceType.CUDA, index);
        }
        if (wantsCuda && !fallbackToCpu)
        {
            throw new InvalidOperationException(
                $"CUDA was requested (device option '{option}', GpuDeviceId {gpuDeviceId?.ToString() ?? "unset"}) but it is not available: " +
                "this build uses the CPU libtorch (rebuild with -p:TorchBackend=cuda on a CUDA machine) or no GPU is visible. " +
                "Set MLContext.FallbackToCpu = true to run on the CPU instead.");
        }
        return torch.CPU;
    }

    private static bool IsCudaAvailable()
    {
        EnsureInitialized();
        return torch.cuda.is_available();
    }
}
