namespace Pipeline.Numerics.Threading;

/// <summary>
/// A small pool of dedicated worker threads for the GEMM driver. Unlike <c>Parallel.For</c> it allocates
/// nothing per dispatch, and tasks are claimed from a shared counter, so which thread runs which task never
/// changes what a task computes (results stay bit-identical whatever the thread count).
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim _start = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private readonly object _dispatchLock = new();
    private IParallelBody? _body;
    private int _taskCount;
    private int _nextTask;
    private int _activeWorkers;
    private volatile bool _disposed;
    private ExceptionHolder? _failure;

    public WorkerPool(int helperThreads)
    {
        _threads = new Thread[helperThreads];
        for (int i = 0; i < helperThreads; i++)
        {
            _threads[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"Pipeline.Numerics worker {i}" };
            _threads[i].Start();
        }
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

        bool locked = false;
        if (taskCount == 1 || _threads.Length == 0 || !Monitor.TryEnter(_dispatchLock))
        {
            RunInline(body, taskCount);
            return;
        }

        locked = true;
        try
        {
            _body = body;
            _taskCount = taskCount;
            _nextTask = 0;
            _failure = null;
            int helpers = Math.Min(_threads.Length, taskCount - 1);
            _activeWorkers = helpers;
            _done.Reset();
            _start.Release(helpers);
            try
            {
                Drain();
            }
            finally
            {
                // Even when a task on this thread throws, the helpers must finish before the next dispatch.
                _done.Wait();
            }

            _body = null;
            if (_failure is { } failure)
            {
                throw new AggregateException("A parallel numerics task failed.", failure.Exception);
            }
        }
        finally
        {
            if (locked)
            {
                Monitor.Exit(_dispatchLock);
            }
        }
    }

    private static void RunInline(IParallelBody body, int taskCount)
    {
        for (int i = 0; i < taskCount; i++)
        {
            body.Run(i);
        }
    }

    private void Drain()
    {
        var body = _body!;
        int count = _taskCount;
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

    private void WorkerLoop()
    {
        while (true)
        {
            _start.Wait();
            if (_disposed)
            {
                return;
            }

            try
            {
                Drain();
            }
#pragma warning disable CA1031 // a worker must survive a failing task and report it to the dispatcher
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _failure = new ExceptionHolder(ex);
                Interlocked.Exchange(ref _nextTask, int.MaxValue / 2);
            }

            if (Interlocked.Decrement(ref _activeWorkers) == 0)
            {
                _done.Set();
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _start.Release(_threads.Length);
    }

    private sealed record ExceptionHolder(Exception Exception);
}
