using System.Diagnostics;
using System.Globalization;
using Pipeline.Numerics;
using Pipeline.Numerics.Kernels;

namespace Pipeline.Bench;

/// <summary>
/// The Vector512 micro-kernel alone on L1-resident slivers: its ceiling, to tell kernel limits from blocking and
/// memory effects when tuning. Reports GFLOP/s by thread CPU time.
/// </summary>
internal static class KernelBenchmark
{
    public static unsafe int Run(BenchArguments args)
    {
        int depth = args.Int("--kc", 256);
        var a = new AlignedBuffer(Vector512Kernel.Rows * depth);
        var b = new AlignedBuffer(Vector512Kernel.Columns * depth);
        var c = new AlignedBuffer(Vector512Kernel.Rows * Vector512Kernel.Columns);
        a.Span.Fill(0.5f);
        b.Span.Fill(0.25f);
        const int calls = 200_000;
        double best = double.MaxValue;
        fixed (float* pa = a.Span)
        fixed (float* pb = b.Span)
        fixed (float* pc = c.Span)
        {
            for (int round = 0; round < 5; round++)
            {
                var start = ThreadCpuTime.Now();
                for (int i = 0; i < calls; i++)
                {
                    Vector512Kernel.Run(pa, pb, depth, pc, Vector512Kernel.Columns, accumulate: true);
                }

                best = Math.Min(best, (ThreadCpuTime.Now() - start).TotalSeconds);
            }
        }

        double flops = 2.0 * Vector512Kernel.Rows * Vector512Kernel.Columns * depth * calls;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kernel {Vector512Kernel.Rows}x{Vector512Kernel.Columns} kc={depth}: {flops / best / 1e9:F1} GFLOP/s"));
        GC.KeepAlive(Stopwatch.Frequency);
        return 0;
    }
}
