using System.Diagnostics;
using System.Globalization;
using Pipeline.Numerics;
using Pipeline.Numerics.Backends;
using Pipeline.Numerics.Kernels;

namespace Pipeline.Bench;

/// <summary>GFLOP/s of an N×N×N single-precision multiply (2·N³ flops), best of repeated runs after warm-up.</summary>
internal static class GemmBenchmark
{
    public static int Run(BenchArguments args)
    {
        int n = args.Int("--size", 1024);
        int rowsM = args.Int("--m", n);
        int depthK = args.Int("--k", n);
        int columnsN = args.Int("--n", n);
        bool transposeA = args.Has("--ta");
        bool transposeB = args.Has("--tb");
        int threads = args.Int("--threads", 1);
        var kernel = args.Value("--kernel") is { } name ? Enum.Parse<KernelKind>(name, ignoreCase: true) : KernelSelection.Best;
        double seconds = args.Value("--seconds") is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : 3.0;

        var random = new Random(1);
        var a = RandomMatrix(random, rowsM * depthK);
        var b = RandomMatrix(random, depthK * columnsN);
        var c = new AlignedBuffer(rowsM * columnsN);

        // --backend cuda|ilgpu-cpu|reference: the multiply through that backend's MatMul instead of the SIMD engine;
        // ILGPU backends take host arrays, so their figure includes the copies to and from the device.
        string? backendName = args.Value("--backend");
        var backend = backendName is null ? null : ComputeBackends.Create(backendName);
        Action multiply = backend is null
            ? () => Gemm.Run(a.Span, b.Span, c.Span, rowsM, depthK, columnsN, transposeA, transposeB, false, threads, kernel)
            : () => backend.MatMul(a.Span, b.Span, c.Span, rowsM, depthK, columnsN, transposeA, transposeB, false);

        // Warm-up: JIT tiers, worker threads, packing buffers (device kernels compile on their first call).
        for (int i = 0; i < 3; i++)
        {
            multiply();
        }

        // --cpu-time: time by this thread's CPU time instead of the wall clock (1 thread only): on a machine shared
        // with other busy processes this filters out the time we were descheduled, for tuning experiments.
        bool cpuTime = args.Has("--cpu-time");
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        int runs = 0;
        while (runs < 3 || total.Elapsed.TotalSeconds < seconds)
        {
            long start = Stopwatch.GetTimestamp();
            var cpuStart = cpuTime ? ThreadCpuTime.Now() : default;
            multiply();
            double elapsed = cpuTime ? (ThreadCpuTime.Now() - cpuStart).TotalSeconds : Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Min(best, elapsed);
            runs++;
        }

        double gflops = 2.0 * rowsM * depthK * columnsN / best / 1e9;
        string engine = backend is null ? kernel.ToString() : backend is IlgpuBackend ilgpu ? $"{backend.Name}: {ilgpu.DeviceName}" : backend.Name;
        (backend as IDisposable)?.Dispose();
        if (args.Has("--json"))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"benchmark\":\"gemm\",\"size\":{n},\"threads\":{threads},\"kernel\":\"{engine}\",\"runs\":{runs},\"gflops\":{gflops:F2}}}"));
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"gemm N={n} threads={threads} kernel={engine}: {gflops:F2} GFLOP/s (best of {runs})"));
        }

        return 0;
    }

    /// <summary>
    /// Values uniform in [0, 1), the operands every GEMM measurement here uses. They live in the engine's own matrix
    /// buffers, as the network's weights and activations do (large ones on huge pages, as NumPy's arrays are for
    /// the OpenBLAS reference); <c>PIPELINE_HUGE_PAGES=0</c> measures without.
    /// </summary>
    internal static AlignedBuffer RandomMatrix(Random random, int length)
    {
        var matrix = new AlignedBuffer(length);
        var values = matrix.Span;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        return matrix;
    }
}
