using System.Diagnostics;
using System.Globalization;
using Pipeline.Numerics;
using Pipeline.Numerics.Kernels;

namespace Pipeline.Bench;

/// <summary>
/// Blocking sizes compared in one process, in alternation: on a shared machine separate processes see different
/// neighbours, so a few percent between two runs means nothing; here every configuration gets the same minutes.
/// <c>tune --m 512 --k 1024 --n 1024 --threads 1 --blocks 512x512,384x768 --rounds 8</c> prints GFLOP/s per
/// configuration (best run of each). <c>--m</c> takes a list too (<c>--m 512,504</c>): row counts compared the same
/// way, e.g. what a last sliver of 8 rows costs against none (504 = 42 x 12).
/// </summary>
internal static class GemmTuning
{
    public static int Run(BenchArguments args)
    {
        int n = args.Int("--size", 1024);
        int[] rowCounts = (args.Value("--m") ?? n.ToString(CultureInfo.InvariantCulture)).Split(',')
            .Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray();
        int m = rowCounts.Max();
        int k = args.Int("--k", n);
        int columns = args.Int("--n", n);
        int threads = args.Int("--threads", 1);
        int rounds = args.Int("--rounds", 6);
        var blocks = (args.Value("--blocks") ?? "512x512").Split(',')
            .Select(b => b.Split('x') is [var kc, var nc]
                ? (Kc: int.Parse(kc, CultureInfo.InvariantCulture), Nc: int.Parse(nc, CultureInfo.InvariantCulture))
                : throw new ArgumentException($"--blocks: '{b}' is not KCxNC"))
            .ToArray();

        var random = new Random(1);
        var a = GemmBenchmark.RandomMatrix(random, m * k);
        var b = GemmBenchmark.RandomMatrix(random, k * columns);
        var c = new AlignedBuffer(m * columns);

        // Every (rows, blocking) pair is one configuration; each run lasts about 0.3 s whatever the shape, so every
        // round samples every configuration alike.
        var configurations = rowCounts.SelectMany(rows => blocks.Select(block => (Rows: rows, Block: block))).ToArray();
        int repeats = Math.Max(1, (int)(0.3 * 150e9 * threads / (2.0 * m * k * columns)));
        var best = new double[configurations.Length];
        Array.Fill(best, double.MaxValue);
        (int Kc, int Nc) original = (GemmDriver.DepthBlock, GemmDriver.ColumnBlock);
        try
        {
            for (int round = 0; round <= rounds; round++)
            {
                for (int i = 0; i < configurations.Length; i++)
                {
                    var (rows, block) = configurations[i];
                    (GemmDriver.DepthBlock, GemmDriver.ColumnBlock) = block;
                    for (int r = 0; r < repeats; r++)
                    {
                        long start = Stopwatch.GetTimestamp();
                        Gemm.Run(a.Span, b.Span, c.Span, rows, k, columns, false, false, false, threads, KernelSelection.Best);
                        if (round > 0)
                        {
                            // Round 0 warms up the JIT, the worker pool and every configuration's buffers.
                            best[i] = Math.Min(best[i], Stopwatch.GetElapsedTime(start).TotalSeconds);
                        }
                    }
                }
            }
        }
        finally
        {
            (GemmDriver.DepthBlock, GemmDriver.ColumnBlock) = original;
        }

        for (int i = 0; i < configurations.Length; i++)
        {
            var (rows, block) = configurations[i];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{rows}x{k}x{columns} threads={threads} kc={block.Kc} nc={block.Nc}: {2.0 * rows * k * columns / best[i] / 1e9:F1} GFLOP/s"));
        }

        return 0;
    }
}
