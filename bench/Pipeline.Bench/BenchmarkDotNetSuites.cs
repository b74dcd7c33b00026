using BenchmarkDotNet.Attributes;
using Pipeline.Numerics;
using Pipeline.Numerics.Backends;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Training;

#pragma warning disable CA1515 // BenchmarkDotNet needs public benchmark classes
#pragma warning disable CA1822 // benchmark methods must be instance methods
#pragma warning disable CA1001 // BenchmarkDotNet owns the lifetime; nothing here needs disposing

namespace Pipeline.Bench;

/// <summary>GEMM in the three training shapes, one thread, under BenchmarkDotNet.</summary>
[MemoryDiagnoser]
public class GemmSuite
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];

    /// <summary>Matrix size (N×N×N).</summary>
    [Params(64, 256, 1024)]
    public int N { get; set; }

    /// <summary>Allocates and fills the operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new DeterministicRandom(1);
        _a = new float[N * N];
        _b = new float[N * N];
        _c = new float[N * N];
        for (int i = 0; i < _a.Length; i++)
        {
            _a[i] = random.NextFloat();
            _b[i] = random.NextFloat();
        }
    }

    /// <summary>C = A·B.</summary>
    [Benchmark(Baseline = true)]
    public void Multiply() => Gemm.Multiply(_a, _b, _c, N, N, N, degreeOfParallelism: 1);

    /// <summary>C = A·Bᵀ.</summary>
    [Benchmark]
    public void MultiplyTransposeB() => Gemm.MultiplyTransposeB(_a, _b, _c, N, N, N, degreeOfParallelism: 1);

    /// <summary>C = Aᵀ·B.</summary>
    [Benchmark]
    public void MultiplyTransposeA() => Gemm.MultiplyTransposeA(_a, _b, _c, N, N, N, degreeOfParallelism: 1);
}

/// <summary>One training epoch of the seed MLP over 65,536 rows (256 steps); allocations should read zero.</summary>
[MemoryDiagnoser]
public class TrainingStepSuite
{
    private const int Rows = 65_536;
    private float[] _features = [];
    private float[] _targets = [];
    private Trainer? _trainer;

    /// <summary>Builds the data and a warm trainer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (_features, _targets) = RegressionData.Generate(Rows, 5, seed: 1);
        var network = Network.Create(new NetworkSpec(5, [64], Activation.Relu, 1), 7, new CpuBackend(1));
        _trainer = new Trainer(network, new TrainerSettings { BatchSize = 256 });
        _trainer.TrainEpoch(_features, _targets, Rows);
    }

    /// <summary>256 Adam steps of batch 256.</summary>
    [Benchmark]
    public float SeedEpoch() => _trainer!.TrainEpoch(_features, _targets, Rows);
}
