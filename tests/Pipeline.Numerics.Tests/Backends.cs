using Pipeline.Numerics.Backends;

namespace Pipeline.Numerics.Tests;

/// <summary>The backends the shared suite runs against, by name (xunit theory data must be serialisable).</summary>
internal static class Backends
{
    public static readonly string[] Names = ["reference", "cpu", "cpu-2threads", "ilgpu-cpu"];

    /// <summary>One ILGPU CPU-accelerator backend for the whole run: compiling its kernels takes a while.</summary>
    private static readonly Lazy<IlgpuBackend> IlgpuCpu = new(IlgpuBackend.CreateCpuSimulator);

    public static IComputeBackend Create(string name) => name switch
    {
        "reference" => ReferenceBackend.Instance,
        "cpu" => new CpuBackend(1),
        "cpu-2threads" => new CpuBackend(2),
        "ilgpu-cpu" => IlgpuCpu.Value,
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
