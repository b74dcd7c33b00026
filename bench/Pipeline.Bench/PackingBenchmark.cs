using System.Globalization;
using Pipeline.Numerics;
using Pipeline.Numerics.Kernels;

namespace Pipeline.Bench;

/// <summary>
/// Packing alone, in nanoseconds per packed float (thread CPU time, best of several passes), for each source
/// layout the three GEMM shapes produce: how much of a multiply's O(n²) overhead is copying. The source is an
/// N×N matrix; A is packed whole (KC-deep blocks), B one KC×NC block at a time, as the driver does.
/// </summary>
internal static class PackingBenchmark
{
    public static unsafe int Run(BenchArguments args)
    {
        int n = args.Int("--size", 1024);
        int kc = args.Int("--kc", GemmDriver.DepthBlock);
        int nc = args.Int("--nc", GemmDriver.ColumnBlock);
        var kind = KernelSelection.Best;
        int mr = KernelSelection.Rows(kind);
        int nr = KernelSelection.Columns(kind);
        var source = new AlignedBuffer(n * n);
        var random = new Random(1);
        for (int i = 0; i < source.Length; i++)
        {
            source.Span[i] = (float)random.NextDouble();
        }

        var packedA = new AlignedBuffer((GemmDriver.RoundUp(n, mr) * n) + 64);
        var packedB = new AlignedBuffer((GemmDriver.RoundUp(nc, nr) * kc) + 64);
        fixed (float* s = source.Span)
        fixed (float* pa = packedA.Span)
        fixed (float* pb = packedB.Span)
        {
            float* destinationA = pa;
            float* destinationB = pb;
            var rowMajor = new StridedMatrix(s, n, 1);
            var transposed = new StridedMatrix(s, 1, n);
            Report("A row-major (A·B, A·Bᵀ)", n, () => PackWholeA(rowMajor, n, kc, mr, destinationA));
            Report("A transposed (Aᵀ·B)", n, () => PackWholeA(transposed, n, kc, mr, destinationA));
            Report("B row-major (A·B, Aᵀ·B)", n, () => PackAllBlocksOfB(rowMajor, n, kc, nc, nr, destinationB));
            Report("B transposed (A·Bᵀ)", n, () => PackAllBlocksOfB(transposed, n, kc, nc, nr, destinationB));
        }

        return 0;
    }

    private static unsafe void PackWholeA(StridedMatrix a, int n, int kc, int mr, float* destination)
    {
        int padded = GemmDriver.RoundUp(n, mr);
        for (int p0 = 0; p0 < n; p0 += kc)
        {
            int depth = Math.Min(kc, n - p0);
            Packing.PackA(a, 0, n, p0, depth, mr, destination + ((long)p0 * padded));
        }
    }

    private static unsafe void PackAllBlocksOfB(StridedMatrix b, int n, int kc, int nc, int nr, float* destination)
    {
        for (int j0 = 0; j0 < n; j0 += nc)
        {
            for (int p0 = 0; p0 < n; p0 += kc)
            {
                Packing.PackB(b, p0, Math.Min(kc, n - p0), j0, Math.Min(nc, n - j0), nr, destination);
            }
        }
    }

    private static void Report(string name, int n, Action pack)
    {
        // Warm-up past tiered compilation's call-counting delay, so the optimised code is what gets timed.
        var warmUp = System.Diagnostics.Stopwatch.StartNew();
        while (warmUp.ElapsedMilliseconds < 300)
        {
            pack();
        }

        double best = double.MaxValue;
        for (int round = 0; round < 20; round++)
        {
            var start = ThreadCpuTime.Now();
            pack();
            best = Math.Min(best, (ThreadCpuTime.Now() - start).TotalSeconds);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-26} N={n}: {best * 1e9 / ((double)n * n):F3} ns/float ({best * 1e3:F3} ms)"));
    }
}
