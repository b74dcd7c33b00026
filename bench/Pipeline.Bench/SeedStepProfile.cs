using System.Diagnostics;
using Pipeline.Numerics.Backends;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Training;

namespace Pipeline.Bench;

/// <summary>Nanoseconds per backend operation at the seed MLP's shapes (batch 256, 5 -> 64 -> 1): where a step's time goes.</summary>
internal static class SeedStepProfile
{
    public static int Run()
    {
        var cpu = new CpuBackend(1);
        var x = new float[256 * 5];
        var w1 = new float[5 * 64];
        var z1 = new float[256 * 64];
        var a1 = new float[256 * 64];
        var b1 = new float[64];
        var w2 = new float[64];
        var z2 = new float[256];
        var dw1 = new float[5 * 64];
        var dw2 = new float[64];
        Measure("forward gemm 256x5x64", () => cpu.MatMul(x, w1, z1, 256, 5, 64, false, false, false));
        Measure("add bias 256x64", () => cpu.AddBias(z1, b1, 256, 64));
        Measure("relu 256x64", () => cpu.Activate(Activation.Relu, z1, a1));
        Measure("copy 256x64", () => z1.AsSpan().CopyTo(a1));
        Measure("output dot 256x64x1", () => cpu.MatMul(a1, w2, z2, 256, 64, 1, false, false, false));
        Measure("dW2 (64x256)x1", () => cpu.MatMul(a1, z2, dw2, 64, 256, 1, true, false, false));
        Measure("dA1 outer 256x1x64", () => cpu.MatMul(z2, w2, a1, 256, 1, 64, false, true, false));
        Measure("relu backward 256x64", () => cpu.ActivationBackward(Activation.Relu, z1, a1, a1, a1));
        Measure("dW1 gemm (5x256)x64", () => cpu.MatMul(x, a1, dw1, 5, 256, 64, true, false, false));
        Measure("bias grad 256x64", () => cpu.SumRows(a1, 256, 64, b1, false));
        var parameters = new float[(5 * 64) + 64 + 64 + 1];
        var gradients = new float[parameters.Length];
        var optimizer = new Optimizer(new TrainerSettings(), parameters.Length);
        Measure("adam 449", () => optimizer.Step(parameters, gradients));
        TimingBackend.ProfileTrainer(cpu, new NetworkSpec(5, [64], Activation.Relu, 1), batchSize: 256, batches: 64);
        return 0;
    }

    private static void Measure(string name, Action action)
    {
        // Warm up for a while, not a number of calls: tiered JIT promotes hot code only after ~100 ms of calls.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.ElapsedMilliseconds < 300)
        {
            action();
        }

        const int reps = 20000;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < reps; i++)
        {
            action();
        }

        Console.WriteLine($"{name,-28} {Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6 / reps:F0} ns");
    }
}
