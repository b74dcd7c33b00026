using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Pipeline.Orchestrator.StateMachines;
using Pipeline.Contracts.Api;

namespace Pipeline.Orchestrator.Api;

/// <summary>
/// Live job updates for server-sent events. One poller per process reads the jobs changed since it last looked
/// (whichever orchestrator instance changed them, which is why it reads the table rather than listening to this
/// process's bus) and fans each changed job out to the subscribers. It only polls while someone listens.
/// </summary>
public sealed partial class JobChangeFeed(IDbContextFactory<OrchestratorDbContext> contexts, TimeProvider clock, ILogger<JobChangeFeed> logger) : IDisposable
{
    /// <summary>Rows stamped by another process's clock may lag ours by this much and still be seen.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly List<Channel<JobSummary>> _subscribers = [];
    private readonly Dictionary<Guid, uint> _sent = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _poller;
    private DateTimeOffset _since;

    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Changed jobs from now on, until the caller stops reading (or the token fires).</summary>
    public async IAsyncEnumerable<JobSummary> SubscribeAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<JobSummary>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            _subscribers.Add(channel);
            if (_poller is null)
            {
                _since = clock.GetUtcNow() - ClockSkew;
                _poller = Task.Run(() => PollAsync(_stop.Token));
            }
        }

        try
        {
            await foreach (var job in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return job;
            }
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
            }
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            lock (_gate)
            {
                if (_subscribers.Count == 0)
                {
                    _poller = null;
                    _sent.Clear();
                    return;
                }
            }

            try
            {
                await PublishChangesAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be restarting; the next tick tries again and catches up from _since.
                LogPollFailed(logger, ex);
            }
        }
    }

    private async Task PublishChangesAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var from = _since;
        var changed = await db.Set<TrainingJobState>().AsNoTracking().Where(j => j.UpdatedAt > from).ToListAsync(cancellationToken);
        if (changed.Count == 0)
        {
            return;
        }

        // Keep the window open by the allowed skew; rows seen before with the same version are not sent twice.
        _since = changed.Max(j => j.UpdatedAt) - ClockSkew;
        Channel<JobSummary>[] subscribers;
        lock (_gate)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var job in changed.OrderBy(j => j.UpdatedAt))
        {
            if (_sent.TryGetValue(job.CorrelationId, out var version) && version == job.RowVersion)
            {
                continue;
            }

            _sent[job.CorrelationId] = job.RowVersion;
            var summary = JobViewMapper.Summary(job);
            foreach (var subscriber in subscribers)
            {
                subscriber.Writer.TryWrite(summary);
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading job changes failed; will retry")]
    private static partial void LogPollFailed(ILogger logger, Exception ex);
}
