using System.Diagnostics;
using Pipeline.Numerics.Backends;
using Pipeline.Numerics.Layers;

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
        new Random(1).NextBytes(new byte[1]);
        Measure("forward gemm 256x5x64", () => cpu.MatMul(x, w1, z1, 256, 5, 64, false, false, false));
        Measure("add bias 256x64", () => cpu.AddBias(z1, b1, 256, 64));
        Measure("relu 256x64", () => cpu.Activate(Activation.Relu, z1, a1));
        Measure("relu own v512 256x64", () => OwnRelu(z1, a1));
        var shifted = new float[(256 * 64) + 64];
        Measure("relu own v512 shifted", () => OwnRelu(z1, shifted.AsSpan(48)));
        Measure("relu tp shifted", () => System.Numerics.Tensors.TensorPrimitives.Max(z1, 0f, shifted.AsSpan(48)));
        Measure("copy 256x64", () => z1.AsSpan().CopyTo(a1));
        Measure("output dot 256x64x1", () => cpu.MatMul(a1, w2, z2, 256, 64, 1, false, false, false));
        Measure("dW2 (64x256)x1", () => cpu.MatMul(a1, z2, dw2, 64, 256, 1, true, false, false));
        Measure("dA1 outer 256x1x64", () => cpu.MatMul(z2, w2, a1, 256, 1, 64, false, true, false));
        Measure("relu backward 256x64", () => cpu.ActivationBackward(Activation.Relu, z1, a1, a1, a1));
        Measure("dW1 gemm (5x256)x64", () => cpu.MatMul(x, a1, dw1, 5, 256, 64, true, false, false));
        Measure("bias grad 256x64", () => cpu.SumRows(a1, 256, 64, b1, false));
        var parameters = new float[(5 * 64) + 64 + 64 + 1];
        var gradients = new float[parameters.Length];
        var optimizer = new Pipeline.Numerics.Training.Optimizer(new Pipeline.Numerics.Training.TrainerSettings(), parameters.Length);
        Measure("adam 449", () => optimizer.Step(parameters, gradients));
        var order = new int[1_000_000];
        var shuffleWatch = Stopwatch.StartNew();
        for (int rep = 0; rep < 5; rep++)
        {
            for (int i = 0; i < order.Length; i++) order[i] = i;
            var random = new Pipeline.Numerics.DeterministicRandom(11);
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = random.NextInt(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        Console.WriteLine($"shuffle 1M: {shuffleWatch.Elapsed.TotalMilliseconds / 5:F2} ms per epoch = {shuffleWatch.Elapsed.TotalMilliseconds / 5 / 3906 * 1000:F2} us per step");
        TimingBackend.ProfileTrainer(cpu, new NetworkSpec(5, [64], Activation.Relu, 1), batchSize: 256, batches: 64);
        return 0;
    }

    private static void OwnRelu(float[] z, Span<float> a)
    {
        var zero = System.Runtime.Intrinsics.Vector512<float>.Zero;
        for (int i = 0; i < z.Length; i += 16)
        {
            System.Runtime.Intrinsics.Vector512.StoreUnsafe(System.Runtime.Intrinsics.Vector512.MaxNative(System.Runtime.Intrinsics.Vector512.Create(z.AsSpan(i, 16)), zero), ref a[i]);
        }
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
