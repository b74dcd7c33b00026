using Pipeline.Numerics.Threading;

namespace Pipeline.Numerics.Tests;

/// <summary>
/// The worker pool's handshakes: every task runs once, a dispatch returns only after every task has finished,
/// whether the helpers are spinning, asleep or switching between the two, and a failing task is reported.
/// </summary>
public sealed class WorkerPoolTests : IDisposable
{
    private readonly WorkerPool _pool = new(helperThreads: 3, spin: TimeSpan.FromMicroseconds(200));

    public void Dispose() => _pool.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(200)]
    [InlineData(-1)] // alternate: spinning on one dispatch, blocking on the next
    public async Task Every_task_runs_once_and_has_finished_when_the_dispatch_returns(int spinMicroseconds)
    {
        await WithinTimeLimit(() => Dispatch(spinMicroseconds));
    }

    /// <summary>A lost wake-up hangs a dispatch; the time limit turns that into a failure instead of a stuck run.</summary>
    private static Task WithinTimeLimit(Action test) => Task.Run(test).WaitAsync(TimeSpan.FromSeconds(60));

    private void Dispatch(int spinMicroseconds)
    {
        var body = new RecordingBody();
        for (int dispatch = 0; dispatch < 400; dispatch++)
        {
            int spin = spinMicroseconds >= 0 ? spinMicroseconds : dispatch % 2 * 200;
            _pool.Spin = TimeSpan.FromMicroseconds(spin);
            int tasks = 1 + (dispatch % 9);
            body.Start(tasks, slowTask: dispatch % tasks);
            _pool.Run(body, tasks);

            // A dispatch that returned early would leave a task unfinished (or finish it after this check).
            Assert.Equal(tasks, body.Finished);
            Assert.All(body.Runs, runs => Assert.Equal(1, runs));

            if (dispatch % 50 == 0)
            {
                // Long enough for the helpers to give up spinning and block, so the next dispatch must wake them.
                Thread.Sleep(2);
            }
        }
    }

    [Fact]
    public Task A_failing_task_is_reported_and_the_pool_keeps_working() => WithinTimeLimit(() =>
    {
        var failing = new FailingBody(failOn: 5);
        var error = Assert.Throws<AggregateException>(() => _pool.Run(failing, 8));
        Assert.IsType<InvalidOperationException>(Assert.Single(error.InnerExceptions));

        var body = new RecordingBody();
        body.Start(8, slowTask: -1);
        _pool.Run(body, 8);
        Assert.Equal(8, body.Finished);
    });

    [Fact]
    public async Task A_second_caller_runs_its_tasks_inline_while_the_pool_is_busy()
    {
        var body = new RecordingBody();
        body.Start(4, slowTask: -1);
        using var release = new ManualResetEventSlim();
        var blocking = new BlockingBody(release);
        var busy = Task.Run(() => _pool.Run(blocking, 4));
        Assert.True(blocking.Started.Wait(TimeSpan.FromSeconds(10)));

        await WithinTimeLimit(() => _pool.Run(body, 4));
        Assert.Equal(4, body.Finished);

        release.Set();
        await busy.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class RecordingBody : IParallelBody
    {
        private int _finished;
        private int _slowTask;

        public int[] Runs { get; private set; } = [];

        public int Finished => Volatile.Read(ref _finished);

        public void Start(int tasks, int slowTask)
        {
            Runs = new int[tasks];
            _finished = 0;
            _slowTask = slowTask;
        }

        public void Run(int taskIndex)
        {
            Interlocked.Increment(ref Runs[taskIndex]);
            if (taskIndex == _slowTask)
            {
                // Finishes well after the other tasks, so the dispatcher has to wait for it.
                Thread.SpinWait(20_000);
            }

            Interlocked.Increment(ref _finished);
        }
    }

    private sealed class FailingBody(int failOn) : IParallelBody
    {
        public void Run(int taskIndex)
        {
            if (taskIndex == failOn)
            {
                throw new InvalidOperationException("task failed");
            }
        }
    }

    private sealed class BlockingBody(ManualResetEventSlim release) : IParallelBody
    {
        public ManualResetEventSlim Started { get; } = new();

        public void Run(int taskIndex)
        {
            Started.Set();
            release.Wait(TimeSpan.FromSeconds(10));
        }
    }
}
