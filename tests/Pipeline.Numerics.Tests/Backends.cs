using Pipeline.Numerics.Backends;

namespace Pipeline.Numerics.Tests;

/// <summary>The backends the shared suite runs against, by name (xunit theory data must be serialisable).</summary>
internal static class Backends
{
    /// <summary>Every backend this machine has: "cuda" joins on a machine with a CUDA device.</summary>
    public static readonly string[] Names = IlgpuBackend.IsCudaAvailable()
        ? ["reference", "cpu", "cpu-2threads", "ilgpu-cpu", "cuda"]
        : ["reference", "cpu", "cpu-2threads", "ilgpu-cpu"];

    private static readonly Lazy<IlgpuBackend> Cuda = new(IlgpuBackend.CreateCuda);

    /// <summary>One ILGPU CPU-accelerator backend for the whole run: compiling its kernels takes a while.</summary>
    private static readonly Lazy<IlgpuBackend> IlgpuCpu = new(IlgpuBackend.CreateCpuSimulator);

    public static IComputeBackend Create(string name) => name switch
    {
        "reference" => ReferenceBackend.Instance,
        "cpu" => new CpuBackend(1),
        "cpu-2threads" => new CpuBackend(2),
        "ilgpu-cpu" => IlgpuCpu.Value,
        "cuda" => Cuda.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown backend."),
    };

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (string name in Names)
        {
            data.Add(name);
        }

        return data;
    }
}
