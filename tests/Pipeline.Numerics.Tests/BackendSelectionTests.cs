using Pipeline.Numerics.Backends;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Training;

namespace Pipeline.Numerics.Tests;

public class BackendSelectionTests
{
    [Fact]
    public void Auto_picks_cuda_only_when_a_device_exists()
    {
        var backend = ComputeBackends.Create("auto");
        try
        {
            Assert.Equal(IlgpuBackend.IsCudaAvailable() ? "cuda" : "cpu", backend.Name);
        }
        finally
        {
            (backend as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void Explicit_names_are_honoured_and_unknown_ones_refused()
    {
        Assert.Equal("cpu", ComputeBackends.Create("cpu").Name);
        Assert.Equal("reference", ComputeBackends.Create("reference").Name);
        Assert.Throws<ArgumentException>(() => ComputeBackends.Create("tpu"));
        if (!IlgpuBackend.IsCudaAvailable())
        {
            Assert.Throws<InvalidOperationException>(() => ComputeBackends.Create("cuda"));
        }
    }

    [Fact]
    public void Training_on_the_ilgpu_kernels_follows_the_cpu_engine()
    {
        var (features, targets) = SeedData.Generate(128, seed: 3);
        var spec = new NetworkSpec(5, [16], Activation.Tanh, 1);
        var settings = new TrainerSettings { BatchSize = 64, Epochs = 1, Shuffle = true };
        var onCpu = Network.Create(spec, 9, new CpuBackend(1));
        var onIlgpu = Network.Create(spec, 9, Backends.Create("ilgpu-cpu"));
        new Trainer(onCpu, settings).Train(features, targets, 128);
        new Trainer(onIlgpu, settings).Train(features, targets, 128);
        BackendOperationTests.AssertClose(onCpu.Parameters.ToArray(), onIlgpu.Parameters.ToArray(), 1e-3f, "parameters after training");
    }
}
