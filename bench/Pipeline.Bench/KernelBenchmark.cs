using System.Globalization;
using Pipeline.Numerics;
using Pipeline.Numerics.Kernels;

namespace Pipeline.Bench;

/// <summary>
/// The Vector512 micro-kernel alone: its ceiling, to tell kernel limits from blocking and memory effects when
/// tuning. Reports GFLOP/s by thread CPU time. Modes:
/// <list type="bullet">
/// <item><c>--kc K</c>: one A sliver and one B sliver (L1-resident), called repeatedly.</item>
/// <item><c>--sweep-b S</c>: one A sliver against S consecutive B slivers (a packed B block streamed from L2),
/// the loop order of the GEMM driver.</item>
/// <item><c>--sweep-a S</c>: one B sliver against S consecutive A slivers (a packed A block streamed from L2).</item>
/// </list>
/// </summary>
internal static class KernelBenchmark
{
    public static unsafe int Run(BenchArguments args)
    {
        int depth = args.Int("--kc", 256);
        int sweepB = args.Int("--sweep-b", 1);
        int sweepA = args.Int("--sweep-a", 1);
        const int mr = Vector512Kernel.Rows;
        const int nr = Vector512Kernel.Columns;
        var a = new AlignedBuffer(mr * depth * sweepA);
        var b = new AlignedBuffer(nr * depth * sweepB);
        int ldc = nr * sweepB;
        var c = new AlignedBuffer(mr * sweepA * ldc);
        a.Span.Fill(0.5f);
        b.Span.Fill(0.25f);
        long calls = Math.Max(1, 200_000L * 256 / depth / (sweepA * sweepB)) * sweepA * sweepB;
        double best = double.MaxValue;
        fixed (float* pa = a.Span)
        fixed (float* pb = b.Span)
        fixed (float* pc = c.Span)
        {
            for (int round = 0; round < 5; round++)
            {
                var start = ThreadCpuTime.Now();
                for (long i = 0; i < calls; i += sweepA * sweepB)
                {
                    for (int s = 0; s < sweepA; s++)
                    {
                        for (int t = 0; t < sweepB; t++)
                        {
                            Vector512Kernel.Run(pa + ((long)s * mr * depth), pb + ((long)t * nr * depth), depth, pc + ((long)s * mr * ldc) + (t * nr), ldc, accumulate: true, prefetch: null, prefetchLines: 0);
                        }
                    }
                }

                best = Math.Min(best, (ThreadCpuTime.Now() - start).TotalSeconds);
            }
        }

        double flops = 2.0 * mr * nr * depth * calls;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kernel {mr}x{nr} kc={depth} A slivers={sweepA} ({mr * depth * sweepA * 4 / 1024} KiB) B slivers={sweepB} ({nr * depth * sweepB * 4 / 1024} KiB): {flops / best / 1e9:F1} GFLOP/s"));
        return 0;
    }
}
