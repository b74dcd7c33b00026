using Microsoft.Extensions.Hosting;
using Pipeline.Platform.Hosting;

namespace Pipeline.Platform.Tests;

/// <summary>The per-job cancellation that preprocessing runs and shard training observe.</summary>
public sealed class RunningJobsTests
{
    [Fact]
    public void A_job_cancel_trips_the_run_of_that_job_only()
    {
        using var lifetime = new Lifetime();
        var running = new RunningJobs(lifetime);
        var job = Guid.NewGuid();
        using var run = running.Start(job, CancellationToken.None);
        using var other = running.Start(Guid.NewGuid(), CancellationToken.None);

        running.Cancel(job);

        Assert.True(run.Token.IsCancellationRequested);
        Assert.True(run.JobCancelled(CancellationToken.None));
        Assert.False(other.Token.IsCancellationRequested);
    }

    [Fact]
    public void Host_shutdown_trips_every_run_and_is_not_taken_for_a_job_cancel()
    {
        using var lifetime = new Lifetime();
        var running = new RunningJobs(lifetime);
        using var run = running.Start(Guid.NewGuid(), CancellationToken.None);

        lifetime.StopApplication();

        Assert.True(run.Token.IsCancellationRequested);
        Assert.False(run.JobCancelled(CancellationToken.None));
    }

    [Fact]
    public void A_job_cancelled_before_its_work_arrives_starts_cancelled()
    {
        using var lifetime = new Lifetime();
        var running = new RunningJobs(lifetime);
        var job = Guid.NewGuid();
        running.Cancel(job);

        using var run = running.Start(job, CancellationToken.None);

        Assert.True(running.IsCancelled(job));
        Assert.True(run.Token.IsCancellationRequested);
        Assert.True(run.JobCancelled(CancellationToken.None));
    }

    [Fact]
    public void Every_run_of_a_job_is_tripped_and_an_ended_run_is_forgotten()
    {
        using var lifetime = new Lifetime();
        var running = new RunningJobs(lifetime);
        var job = Guid.NewGuid();
        var first = running.Start(job, CancellationToken.None);
        using var second = running.Start(job, CancellationToken.None);
        first.Dispose();
        Assert.True(running.IsRunning(job));

        running.Cancel(job);

        Assert.True(second.Token.IsCancellationRequested);
        second.Dispose();
        Assert.False(running.IsRunning(job));
    }

    [Fact]
    public void A_message_cancelled_by_the_bus_is_not_taken_for_a_job_cancel()
    {
        using var lifetime = new Lifetime();
        var running = new RunningJobs(lifetime);
        using var consume = new CancellationTokenSource();
        using var run = running.Start(Guid.NewGuid(), consume.Token);

        consume.Cancel();

        Assert.True(run.Token.IsCancellationRequested);
        Assert.False(run.JobCancelled(consume.Token));
    }

    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }
}
