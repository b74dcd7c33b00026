using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Pipeline.Numerics;
using Pipeline.Numerics.Kernels;

namespace Pipeline.Bench;

/// <summary>
/// Our GEMM and OpenBLAS's cblas_sgemm (Debian's libopenblas0, loaded in this process) on the same operands, in
/// alternation: each round times both for a short window, best run of each, and keeps their ratio. Separate
/// processes on this shared machine differ by more than the engines do; paired rounds in one process do not.
/// OpenBLAS reads OPENBLAS_CORETYPE when it loads, so set it (SkylakeX here) in the environment beforehand.
/// </summary>
internal static unsafe partial class OpenBlasPairing
{
    private const int RowMajor = 101;
    private const int NoTranspose = 111;

    public static int Run(BenchArguments args)
    {
        int n = args.Int("--size", 2048);
        int threads = args.Int("--threads", 1);
        int rounds = args.Int("--rounds", 10);
        double window = args.Value("--window") is { } w ? double.Parse(w, CultureInfo.InvariantCulture) : 0.5;
        if (Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is null)
        {
            Console.Error.WriteLine("warning: OPENBLAS_CORETYPE is not set; Debian's OpenBLAS 0.3.21 falls back to SSE3 kernels on this CPU");
        }

        var random = new Random(1);
        var a = GemmBenchmark.RandomMatrix(random, n * n);
        var b = GemmBenchmark.RandomMatrix(random, n * n);
        var c = new AlignedBuffer(n * n);
        openblas_set_num_threads(threads);

        void Ours() => Gemm.Run(a.Span, b.Span, c.Span, n, n, n, false, false, false, threads, KernelSelection.Best);
        void Theirs()
        {
            fixed (float* pa = a.Span, pb = b.Span, pc = c.Span)
            {
                cblas_sgemm(RowMajor, NoTranspose, NoTranspose, n, n, n, 1f, pa, n, pb, n, 0f, pc, n);
            }
        }

        // Warm-up: JIT tiers, both thread pools, packing buffers.
        for (int i = 0; i < 3; i++)
        {
            Ours();
            Theirs();
        }

        double flops = 2.0 * n * n * n;
        var ratios = new List<double>(rounds);
        double bestOurs = double.MaxValue, bestTheirs = double.MaxValue;
        for (int round = 0; round < rounds; round++)
        {
            // Alternate which goes first, so neither always follows the other's cache state.
            double ours, theirs;
            if (round % 2 == 0)
            {
                ours = BestOf(Ours, window);
                theirs = BestOf(Theirs, window);
            }
            else
            {
                theirs = BestOf(Theirs, window);
                ours = BestOf(Ours, window);
            }

            ratios.Add(theirs / ours);
            bestOurs = Math.Min(bestOurs, ours);
            bestTheirs = Math.Min(bestTheirs, theirs);
        }

        ratios.Sort();
        double median = rounds % 2 == 1 ? ratios[rounds / 2] : (ratios[(rounds / 2) - 1] + ratios[rounds / 2]) / 2;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"benchmark\":\"gemm-paired\",\"size\":{n},\"threads\":{threads},\"rounds\":{rounds},\"gflops\":{flops / bestOurs / 1e9:F2},\"openblasGflops\":{flops / bestTheirs / 1e9:F2},\"medianRatio\":{median:F3},\"minRatio\":{ratios[0]:F3},\"maxRatio\":{ratios[^1]:F3}}}"));
        return 0;
    }

    private static double BestOf(Action multiply, double seconds)
    {
        double best = double.MaxValue;
        var window = Stopwatch.StartNew();
        int runs = 0;
        while (runs < 2 || window.Elapsed.TotalSeconds < seconds)
        {
            long start = Stopwatch.GetTimestamp();
            multiply();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
            runs++;
        }

        return best;
    }

    [LibraryImport("libopenblas.so.0")]
    private static partial void cblas_sgemm(
        int order, int transposeA, int transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport("libopenblas.so.0")]
    private static partial void openblas_set_num_threads(int threads);
}
