namespace Pipeline.Numerics.Threading;

/// <summary>
/// One shared <see cref="WorkerPool"/> per degree of parallelism asked for, created on first use and kept for
/// the process lifetime (threads are cheap to park and expensive to start per call).
/// </summary>
internal static class WorkerPools
{
    private static readonly object Gate = new();

    /// <summary>
    /// How long idle pool threads spin before blocking: <c>PIPELINE_POOL_SPIN_US</c> microseconds, 0 to block at
    /// once (a process that must not burn idle CPU), default 1 ms (a few training steps' gaps between multiplies).
    /// </summary>
    internal static readonly TimeSpan Spin = TimeSpan.FromMicroseconds(
        int.TryParse(Environment.GetEnvironmentVariable("PIPELINE_POOL_SPIN_US"), out int microseconds) && microseconds >= 0
            ? microseconds
            : 1000);
    private static WorkerPool?[] s_pools = new WorkerPool?[Environment.ProcessorCount + 1];

    public static WorkerPool Get(int degreeOfParallelism)
    {
        var pools = Volatile.Read(ref s_pools);
        if (degreeOfParallelism < pools.Length && pools[degreeOfParallelism] is { } existing)
        {
            return existing;
        }

        lock (Gate)
        {
            if (degreeOfParallelism >= s_pools.Length)
            {
                Array.Resize(ref s_pools, degreeOfParallelism + 1);
            }

            return s_pools[degreeOfParallelism] ??= new WorkerPool(degreeOfParallelism - 1, Spin);
        }
    }
}
