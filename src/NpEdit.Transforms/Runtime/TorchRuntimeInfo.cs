namespace NpEdit.Transforms.Runtime;

/// <summary>What TorchSharp reports about itself and the machine, for logs and bug reports.</summary>
public sealed record TorchRuntimeInfo(
    string TorchSharpVersion,
    string LibTorchVersion,
    int Threads,
    int InteropThreads,
    bool CudaAvailable,
    int CudaDeviceCount,
    string Device)
{
    public override string ToString() =>
        $"TorchSharp {TorchSharpVersion} (libtorch {LibTorchVersion}), {Threads} threads, " +
        $"{InteropThreads} interop threads, CUDA {(CudaAvailable ? $"available ({CudaDeviceCount} device(s))" : "not available")}, device {Device}";
}
