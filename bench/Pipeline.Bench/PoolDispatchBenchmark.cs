using System.Diagnostics;
using System.Globalization;
using Pipeline.Numerics.Threading;

namespace Pipeline.Bench;

/// <summary>
/// What one dispatch to the GEMM worker pool costs after the caller has been busy elsewhere for a while (the gaps a
/// training step leaves between its multiplies), with the helpers blocking at once and with them spinning first:
/// <c>dispatch --threads 2 --spin-us 1000</c>. Each dispatch runs one trivial task per thread.
/// </summary>
internal static class PoolDispatchBenchmark
{
    public static int Run(BenchArguments args)
    {
        int threads = Math.Max(2, args.Int("--threads", 2));
        int spin = args.Int("--spin-us", (int)WorkerPools.Spin.TotalMicroseconds);
        var pool = WorkerPools.Get(threads);
        var body = new TrivialTasks();
        foreach (int budget in new[] { 0, spin })
        {
            pool.Spin = TimeSpan.FromMicroseconds(budget);
            foreach (int gap in new[] { 0, 20, 100, 500, 2000 })
            {
                var samples = new double[1000];
                for (int i = 0; i < samples.Length; i++)
                {
                    long busyUntil = Stopwatch.GetTimestamp() + (gap * Stopwatch.Frequency / 1_000_000);
                    while (Stopwatch.GetTimestamp() < busyUntil)
                    {
                        // The caller's own work between two multiplies.
                    }

                    long start = Stopwatch.GetTimestamp();
                    pool.Run(body, threads);
                    samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }

                Array.Sort(samples);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"threads={threads} spin={budget} µs gap={gap} µs: dispatch median {samples[500]:F1} µs, p90 {samples[900]:F1} µs"));
            }
        }

        pool.Spin = WorkerPools.Spin;
        return 0;
    }

    private sealed class TrivialTasks : IParallelBody
    {
        public void Run(int taskIndex) => Thread.SpinWait(1);
    }
}
