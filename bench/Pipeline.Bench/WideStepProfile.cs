using System.Diagnostics;
using Pipeline.Numerics;
using Pipeline.Numerics.Backends;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Training;

namespace Pipeline.Bench;

/// <summary>Milliseconds per operation of one wide-MLP training step (batch 512, 64 -> 1024 -> 1024 -> 1).</summary>
internal static class WideStepProfile
{
    public static int Run(BenchArguments args)
    {
        int threads = args.Int("--threads", 1);
        var cpu = new CpuBackend(threads);
        var x = new AlignedBuffer(512 * 64);
        var w1 = new AlignedBuffer(64 * 1024);
        var w2 = new AlignedBuffer(1024 * 1024);
        var z1 = new AlignedBuffer(512 * 1024);
        var a1 = new AlignedBuffer(512 * 1024);
        var z2 = new AlignedBuffer(512 * 1024);
        var g2 = new AlignedBuffer(512 * 1024);
        var g1 = new AlignedBuffer(512 * 1024);
        var dw2 = new AlignedBuffer(1024 * 1024);
        var dw1 = new AlignedBuffer(64 * 1024);
        var parameters = new AlignedBuffer(1_120_000);
        var gradients = new AlignedBuffer(1_120_000);
        var optimizer = new Optimizer(new TrainerSettings(), 1_120_000, threads);
        Fill(x.Span);
        Fill(w1.Span);
        Fill(w2.Span);
        Fill(g2.Span);

        Measure("F1 512x64x1024", () => cpu.MatMul(x.Span, w1.Span, z1.Span, 512, 64, 1024, false, false, false));
        Measure("relu 512x1024", () => cpu.Activate(Activation.Relu, z1.Span, a1.Span));
        Measure("F2 512x1024x1024", () => cpu.MatMul(a1.Span, w2.Span, z2.Span, 512, 1024, 1024, false, false, false));
        Measure("bias 512x1024", () => cpu.AddBias(z2.Span, w1.Span[..1024], 512, 1024));
        Measure("dW2 (1024x512)T x1024", () => cpu.MatMul(a1.Span, g2.Span, dw2.Span, 1024, 512, 1024, true, false, false));
        Measure("dA1 512x1024xW2T", () => cpu.MatMul(g2.Span, w2.Span, g1.Span, 512, 1024, 1024, false, true, false));
        Measure("relu bwd 512x1024", () => cpu.ActivationBackward(Activation.Relu, z1.Span, a1.Span, g1.Span, g1.Span));
        Measure("sum rows 512x1024", () => cpu.SumRows(g2.Span, 512, 1024, dw1.Span[..1024], false));
        Measure("dW1 (64x512)T x1024", () => cpu.MatMul(x.Span, g1.Span, dw1.Span, 64, 512, 1024, true, false, false));
        Measure("adam 1.12M", () => optimizer.Step(parameters.Span, gradients.Span));

        // The output layer (one unit): products with k = 1 or n = 1 that the big kernels do not see.
        var w3 = new AlignedBuffer(1024);
        var z3 = new AlignedBuffer(512);
        var dw3 = new AlignedBuffer(1024);
        Fill(w3.Span);
        Fill(z3.Span);
        Measure("F3 512x1024x1", () => cpu.MatMul(a1.Span, w3.Span, z3.Span, 512, 1024, 1, false, false, false));
        Measure("dW3 (1024x512)T x1", () => cpu.MatMul(a1.Span, z3.Span, dw3.Span, 1024, 512, 1, true, false, false));
        Measure("dA2 512x1xW3T", () => cpu.MatMul(z3.Span, w3.Span, g1.Span, 512, 1, 1024, false, true, false));

        // The whole step as the trainer runs it (gather, forward, loss, backward, optimizer), to see what the
        // parts above miss.
        const int batches = 8;
        var (features, targets) = RegressionData.Generate(512 * batches, 64, seed: 1);
        var network = Network.Create(new NetworkSpec(64, [1024, 1024], Activation.Relu, 1), 7, cpu);
        var trainer = new Trainer(network, new TrainerSettings { Optimizer = OptimizerKind.Adam, BatchSize = 512, Epochs = 1, Seed = 11 });
        MeasureEach("whole step (trainer)", batches, () => trainer.TrainEpoch(features, targets, 512 * batches));

        TimingBackend.ProfileTrainer(cpu, new NetworkSpec(64, [1024, 1024], Activation.Relu, 1), batchSize: 512, batches);
        return 0;
    }

    private static void Fill(Span<float> values)
    {
        var random = new DeterministicRandom(1);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.NextFloat() - 0.5f;
        }
    }

    private static void Measure(string name, Action action) => MeasureEach(name, 1, action);

    /// <summary>Times <paramref name="action"/>, which does <paramref name="count"/> operations, and prints per operation.</summary>
    private static void MeasureEach(string name, int count, Action action)
    {
        // Warm up for a while, not a few calls: tiered JIT recompiles hot library code (TensorPrimitives) with the
        // machine's widest vectors only after ~100 ms of calls.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.ElapsedMilliseconds < 300)
        {
            action();
        }

        double best = double.MaxValue;
        double total = 0;
        const int reps = 20;
        for (int i = 0; i < reps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds / count;
            best = Math.Min(best, ms);
            total += ms;
        }

        Console.WriteLine($"{name,-26} best {best,7:F3} ms   mean {total / reps,7:F3} ms");
    }
}
