namespace NpEdit.Transforms.Runtime;

/// <summary>Where tensors live. Mirrors ML.NET's GpuDeviceId / FallbackToCpu semantics (see <see cref="TorchRuntime.ResolveDevice"/>).</summary>
public enum DeviceOption
{
    /// <summary>CUDA when MLContext.GpuDeviceId is set or CUDA is available; otherwise CPU.</summary>
    Auto,
    /// <summary>Always the CPU.</summary>
    Cpu,
    /// <summary>CUDA; an error when unavailable unless MLContext.FallbackToCpu is true.</summary>
    Cuda,
}
