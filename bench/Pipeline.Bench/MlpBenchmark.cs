using System.Diagnostics;
using System.Globalization;
using Pipeline.Numerics.Backends;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Training;

namespace Pipeline.Bench;

/// <summary>
/// End-to-end training throughput (samples/s over all epochs, data already in memory) and the validation MSE
/// reached, for the seed MLP and a wide one. Mirrors bench/reference_mlp.py step for step.
/// </summary>
internal static class MlpBenchmark
{
    public static int Run(BenchArguments args)
    {
        string preset = args.Value("--preset") ?? "seed";
        int threads = args.Int("--threads", 1);
        var (inputs, hidden, batch, epochs, rows) = preset switch
        {
            "seed" => (5, new[] { 64 }, 256, 3, 1_000_000),
            "wide" => (64, new[] { 1024, 1024 }, 512, 1, 200_000),
            _ => throw new ArgumentException($"Unknown preset '{preset}' (seed | wide)."),
        };
        rows = args.Int("--rows", rows);
        epochs = args.Int("--epochs", epochs);
        int validationRows = args.Int("--validation-rows", 100_000);

        var (features, targets) = RegressionData.Generate(rows, inputs, seed: 1);
        var (valFeatures, valTargets) = RegressionData.Generate(validationRows, inputs, seed: 2);
        // --backend cuda|ilgpu-cpu|reference trains through that backend instead of the SIMD engine on T threads.
        IComputeBackend backend = args.Value("--backend") is { } backendName ? ComputeBackends.Create(backendName) : new CpuBackend(threads);
        // --init auto|he|glorot|fan-in. Default fan-in: PyTorch's own default, so the reference script starts from
        // the same distribution and the validation MSEs compare like for like.
        var initialisation = Enum.Parse<WeightInitialisation>((args.Value("--init") ?? "fan-in").Replace("-", "", StringComparison.Ordinal), ignoreCase: true);
        var network = Network.Create(new NetworkSpec(inputs, hidden, Activation.Relu, 1), seed: 7, backend, initialisation);
        var settings = new TrainerSettings { Optimizer = OptimizerKind.Adam, LearningRate = 0.001f, BatchSize = batch, Epochs = epochs, Seed = 11 };

        // Warm-up on a throw-away copy for about a second: tiered JIT promotes hot library methods (ours and
        // TensorPrimitives) only after ~100 ms of calls, and worker threads and GEMM buffers get created.
        var warmUp = new Trainer(network.Clone(), settings with { Epochs = 1 });
        int warmRows = Math.Min(rows, batch * 20);
        var warmStart = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(warmStart).TotalSeconds < 1.0)
        {
            warmUp.Train(features.AsSpan(0, warmRows * inputs), targets.AsSpan(0, warmRows), warmRows);
        }

        var trainer = new Trainer(network, settings);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        var report = trainer.Train(features, targets, rows);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        float mse = trainer.Evaluate(valFeatures, valTargets, validationRows);
        double samplesPerSecond = (double)rows * epochs / seconds;

        if (args.Has("--json"))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"benchmark\":\"mlp\",\"preset\":\"{preset}\",\"threads\":{threads},\"rows\":{rows},\"epochs\":{epochs},\"init\":\"{initialisation}\",\"seconds\":{seconds:F3},\"samplesPerSecond\":{samplesPerSecond:F0},\"mse\":{mse:F5},\"trainLoss\":{report.FinalLoss:F5},\"allocatedBytes\":{allocated}}}"));
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"mlp {preset} threads={threads}: {samplesPerSecond:F0} samples/s, validation MSE {mse:F4} ({seconds:F2} s, {allocated} bytes allocated while training)"));
        }

        return 0;
    }
}
