namespace Pipeline.Numerics.Backends;

/// <summary>Picks a backend by name, or automatically: CUDA when a device exists, else the SIMD CPU engine.</summary>
public static class ComputeBackends
{
    /// <summary>Names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["auto", "cpu", "cuda", "ilgpu-cpu", "reference"];

    /// <summary>
    /// "auto" (CUDA if a device is present, else "cpu"), "cpu", "cuda" (throws when no device), "ilgpu-cpu" (the
    /// CUDA kernels on ILGPU's CPU accelerator) or "reference" (scalar loops). ILGPU backends own a device
    /// context: dispose them when done (they implement <see cref="IDisposable"/>).
    /// </summary>
    public static IComputeBackend Create(string name = "auto") => name.ToUpperInvariant() switch
    {
        "AUTO" => IlgpuBackend.IsCudaAvailable() ? IlgpuBackend.CreateCuda() : CpuBackend.Default,
        "CPU" => CpuBackend.Default,
        "CUDA" => IlgpuBackend.CreateCuda(),
        "ILGPU-CPU" => IlgpuBackend.CreateCpuSimulator(),
        "REFERENCE" => ReferenceBackend.Instance,
        _ => throw new ArgumentException($"Unknown backend '{name}'; use one of {string.Join(", ", Names)}.", nameof(name)),
    };
}
