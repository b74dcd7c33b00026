using System.Diagnostics;

namespace Pipeline.Numerics.Threading;

/// <summary>
/// A small pool of dedicated worker threads for the GEMM driver. Unlike <c>Parallel.For</c> it allocates
/// nothing per dispatch, and tasks are claimed from a shared counter, so which thread runs which task never
/// changes what a task computes (results stay bit-identical whatever the thread count).
/// </summary>
/// <remarks>
/// Idle helpers, and a dispatcher waiting for its helpers, spin for a while before they block: waking a blocked
/// thread measured 45-156 µs median here against ~1 µs for a spinning one (<c>Pipeline.Bench dispatch</c>: a futex
/// wake plus a virtual CPU coming out of halt). A 1024³ multiply takes ~7 ms on two threads (~300 GFLOP/s), so each
/// such wake costs it 1-2 %, and a training step dispatches a dozen multiplies a few hundred microseconds apart. OpenBLAS and OpenMP runtimes do the same (their helpers spin for far longer).
/// </remarks>
internal sealed class WorkerPool : IDisposable
{
    private const int ParticipantBits = 16;
    private const long ParticipantMask = (1L << ParticipantBits) - 1;

    private readonly Thread[] _threads;
    private readonly Sleeper[] _sleepers;
    private readonly SemaphoreSlim _finished = new(0);
    private readonly object _dispatchLock = new();
    private long _spinTicks;
    private IParallelBody? _body;
    private int _taskCount;
    private int _nextTask;
    private int _activeWorkers;

    /// <summary>
    /// The current dispatch, as one word so a helper reads both halves together: a generation counter (upper bits)
    /// and how many helpers take part (lower 16 bits; helper i takes part when i is below it).
    /// </summary>
    private long _dispatch;
    private int _dispatcherBlocked;
    private volatile bool _disposed;
    private ExceptionHolder? _failure;

    /// <param name="helperThreads">Threads started besides the callers'.</param>
    /// <param name="spin">How long an idle thread spins before it blocks; zero blocks at once.</param>
    public WorkerPool(int helperThreads, TimeSpan spin)
    {
        _spinTicks = (long)(spin.TotalSeconds * Stopwatch.Frequency);
        _threads = new Thread[helperThreads];
        _sleepers = new Sleeper[helperThreads];
        for (int i = 0; i < helperThreads; i++)
        {
            var sleeper = _sleepers[i] = new Sleeper();
            int index = i;
            _threads[i] = new Thread(() => WorkerLoop(index, sleeper)) { IsBackground = true, Name = $"Pipeline.Numerics worker {i}" };
            _threads[i].Start();
        }
    }

    /// <summary>How long an idle thread spins before it blocks (settable for the bench's in-process comparisons).</summary>
    public TimeSpan Spin
    {
        get => TimeSpan.FromSeconds((double)Volatile.Read(ref _spinTicks) / Stopwatch.Frequency);
        set => Volatile.Write(ref _spinTicks, (long)(value.TotalSeconds * Stopwatch.Frequency));
    }

    /// <summary>Threads that can run tasks at once: the helpers plus the calling thread.</summary>
    public int Concurrency => _threads.Length + 1;

    /// <summary>
    /// Runs tasks 0..taskCount-1 of <paramref name="body"/> on the helpers and the calling thread and returns
    /// when all are done. A caller that finds the pool busy (another thread is dispatching) runs its tasks
    /// inline instead of waiting, so concurrent callers (e.g. serving requests) never block each other.
    /// </summary>
    public void Run(IParallelBody body, int taskCount)
    {
        if (taskCount <= 0)
        {
            return;
        }

        if (taskCount == 1 || _threads.Length == 0 || !Monitor.TryEnter(_dispatchLock))
        {
            RunInline(body, taskCount);
            return;
        }

        try
        {
            _body = body;
            _taskCount = taskCount;
            _nextTask = 0;
            _failure = null;

            // Only as many helpers as there are tasks besides the caller's take part: the rest stay idle (and
            // asleep, if they are), so a small dispatch on a many-core machine waits for no one it does not need.
            int participants = Math.Min(_threads.Length, taskCount - 1);
            _activeWorkers = participants;

            // Publishing the dispatch releases the spinning helpers; the sleeping ones are woken one by one.
            long generation = (Volatile.Read(ref _dispatch) >> ParticipantBits) + 1;
            Interlocked.Exchange(ref _dispatch, (generation << ParticipantBits) | (long)participants);
            for (int i = 0; i < participants; i++)
            {
                _sleepers[i].Wake();
            }

            // A task that throws on this thread is reported like one on a helper, once the helpers are done.
            Drain();
            WaitForHelpers();
            _body = null;
            if (_failure is { } failure)
            {
                throw new AggregateException("A parallel numerics task failed.", failure.Exception);
            }
        }
        finally
        {
            Monitor.Exit(_dispatchLock);
        }
    }

    private static void RunInline(IParallelBody body, int taskCount)
    {
        for (int i = 0; i < taskCount; i++)
        {
            body.Run(i);
        }
    }

    /// <summary>Claims and runs tasks until none is left; a failing task is recorded and stops the dispatch.</summary>
    private void Drain()
    {
        var body = _body!;
        int count = _taskCount;
        try
        {
            while (true)
            {
                int task = Interlocked.Increment(ref _nextTask) - 1;
                if (task >= count)
                {
                    return;
                }

                body.Run(task);
            }
        }
#pragma warning disable CA1031 // the failure is rethrown by the dispatcher once every thread has stopped
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.CompareExchange(ref _failure, new ExceptionHolder(ex), null);
            Interlocked.Exchange(ref _nextTask, int.MaxValue / 2);
        }
    }

    private void WaitForHelpers()
    {
        var spinner = new Spinner(Volatile.Read(ref _spinTicks));
        while (Volatile.Read(ref _activeWorkers) != 0)
        {
            if (!spinner.SpinOnce())
            {
                // Same handshake as the helpers' sleep: announce, re-check, block; a stale release only loops.
                Interlocked.Exchange(ref _dispatcherBlocked, 1);
                while (Volatile.Read(ref _activeWorkers) != 0)
                {
                    _finished.Wait();
                }

                Interlocked.Exchange(ref _dispatcherBlocked, 0);
                return;
            }
        }
    }

    private void WorkerLoop(int index, Sleeper sleeper)
    {
        long seen = 0;
        while (true)
        {
            WaitForDispatch(seen, sleeper);
            seen = Volatile.Read(ref _dispatch);
            if (_disposed)
            {
                return;
            }

            // A dispatch this helper takes part in cannot finish without it, so the word just read is still the
            // current one; one it does not take part in may already be over, and the helper simply waits again.
            if (index >= (int)(seen & ParticipantMask))
            {
                continue;
            }

            Drain();
            if (Interlocked.Decrement(ref _activeWorkers) == 0 && Interlocked.Exchange(ref _dispatcherBlocked, 0) == 1)
            {
                _finished.Release();
            }
        }
    }

    private void WaitForDispatch(long seen, Sleeper sleeper)
    {
        var spinner = new Spinner(Volatile.Read(ref _spinTicks));
        while (!_disposed && Volatile.Read(ref _dispatch) == seen)
        {
            if (!spinner.SpinOnce())
            {
                sleeper.SleepWhile(this, seen);
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var sleeper in _sleepers)
        {
            sleeper.Wake();
        }
    }

    private sealed record ExceptionHolder(Exception Exception);

    /// <summary>
    /// One helper's wake-up signal. Each helper has its own, so a helper that wakes, finishes and sleeps again can
    /// never take the wake-up meant for another (with one shared semaphore that left a helper asleep).
    /// </summary>
    private sealed class Sleeper
    {
        private readonly SemaphoreSlim _signal = new(0);
        private int _asleep;

        /// <summary>
        /// Blocks until the pool's dispatch moves past <paramref name="seen"/> or the pool is disposed. The
        /// helper announces itself before it re-reads the dispatch word and the dispatcher publishes the word before
        /// it reads the announcement, both with full fences, so one of them always sees the other.
        /// </summary>
        public void SleepWhile(WorkerPool pool, long seen)
        {
            Interlocked.Exchange(ref _asleep, 1);
            while (!pool._disposed && Volatile.Read(ref pool._dispatch) == seen)
            {
                _signal.Wait();
                Interlocked.Exchange(ref _asleep, 1);
            }

            Interlocked.Exchange(ref _asleep, 0);
        }

        public void Wake()
        {
            if (Interlocked.Exchange(ref _asleep, 0) == 1)
            {
                _signal.Release();
            }
        }
    }

    /// <summary>Busy-waits in short pauses, yielding the CPU now and then, until its time budget is spent.</summary>
    private struct Spinner(long budgetTicks)
    {
        private readonly long _deadline = Stopwatch.GetTimestamp() + budgetTicks;
        private int _count;

        /// <summary>Pauses briefly; false once the budget is spent (the caller should block instead).</summary>
        public bool SpinOnce()
        {
            if (budgetTicks <= 0 || Stopwatch.GetTimestamp() >= _deadline)
            {
                return false;
            }

            if (++_count % 64 == 0)
            {
                // Lets another thread that is ready on this CPU run (on a machine with more threads than CPUs).
                Thread.Yield();
            }
            else
            {
                Thread.SpinWait(8);
            }

            return true;
        }
    }
}
