using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Pipeline.Contracts;

namespace Pipeline.Preprocess;

/// <summary>
/// The jobs this process is preprocessing now, each with a token that <see cref="JobCancelled"/> trips, so that a
/// cancelled job stops its scan within seconds instead of running to the end of a file nobody waits for.
/// The host's stopping token is linked too: the bus may wait for a running consumer before it cancels its token, and
/// a shutdown must not wait for a scan of hours.
/// </summary>
public sealed class RunningPreprocessing(IHostApplicationLifetime lifetime)
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _jobs = new();

    private bool Stopping => lifetime.ApplicationStopping.IsCancellationRequested;

    /// <summary>
    /// A token cancelled when the job is cancelled, the host stops or <paramref name="consumeToken"/> is cancelled;
    /// dispose the result when the run is over.
    /// </summary>
    public Run Start(Guid jobId, CancellationToken consumeToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(consumeToken, lifetime.ApplicationStopping);
        _jobs[jobId] = source;
        return new Run(this, jobId, source);
    }

    /// <summary>Stops the job's run in this process, if there is one.</summary>
    public void Cancel(Guid jobId)
    {
        if (_jobs.TryGetValue(jobId, out var source))
        {
            source.Cancel();
        }
    }

    /// <summary>One run: its token, and whether it was the job (not the host) that was cancelled.</summary>
    public sealed class Run(RunningPreprocessing owner, Guid jobId, CancellationTokenSource source) : IDisposable
    {
        private readonly CancellationToken _token = source.Token;

        public CancellationToken Token => _token;

        /// <summary>True when the job was cancelled, not the host stopped (then the message is redelivered later).</summary>
        public bool JobCancelled(CancellationToken consumeToken) =>
            _token.IsCancellationRequested && !consumeToken.IsCancellationRequested && !owner.Stopping;

        public void Dispose()
        {
            owner._jobs.TryRemove(new KeyValuePair<Guid, CancellationTokenSource>(jobId, source));
            source.Dispose();
        }
    }
}

/// <summary>Every Preprocess instance hears about cancelled jobs (a temporary queue of its own) and stops their runs.</summary>
public sealed class PreprocessJobCancelledConsumer(RunningPreprocessing running) : IConsumer<JobCancelled>
{
    public Task Consume(ConsumeContext<JobCancelled> context)
    {
        running.Cancel(context.Message.JobId);
        return Task.CompletedTask;
    }
}
