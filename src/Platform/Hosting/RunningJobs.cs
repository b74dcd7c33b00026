using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;

namespace Pipeline.Platform.Hosting;

/// <summary>
/// The work this process is doing for each job (a preprocessing run, a shard being trained), each run with a token
/// that a job cancel trips, so a cancelled job stops within seconds instead of running to the end of work nobody
/// waits for. The host's stopping token is linked too: the bus may wait for a running consumer before it cancels
/// its token, and a shutdown must not wait for a scan or an epoch loop of hours. A job cancelled before its work
/// arrives starts cancelled.
/// </summary>
public sealed class RunningJobs(IHostApplicationLifetime lifetime)
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Run, byte>> _runs = new();
    private readonly ConcurrentDictionary<Guid, byte> _cancelled = new();

    private bool Stopping => lifetime.ApplicationStopping.IsCancellationRequested;

    /// <summary>Whether this process is doing work for the job right now.</summary>
    public bool IsRunning(Guid jobId) => _runs.TryGetValue(jobId, out var runs) && !runs.IsEmpty;

    /// <summary>Whether the job was cancelled since this process started.</summary>
    public bool IsCancelled(Guid jobId) => _cancelled.ContainsKey(jobId);

    /// <summary>
    /// A token cancelled when the job is cancelled, the host stops or <paramref name="consumeToken"/> is cancelled;
    /// dispose the result when the work is over.
    /// </summary>
    public Run Start(Guid jobId, CancellationToken consumeToken)
    {
        var run = new Run(this, jobId, CancellationTokenSource.CreateLinkedTokenSource(consumeToken, lifetime.ApplicationStopping));
        _runs.GetOrAdd(jobId, _ => new ConcurrentDictionary<Run, byte>()).TryAdd(run, 0);

        // Cancel marks the job before it looks for runs, and a run is listed before it looks at the mark: a cancel
        // racing with a start is seen by one of the two.
        if (IsCancelled(jobId))
        {
            run.Trip();
        }

        return run;
    }

    /// <summary>Stops the job's runs in this process, and any it starts later.</summary>
    public void Cancel(Guid jobId)
    {
        _cancelled.TryAdd(jobId, 0);
        if (_runs.TryGetValue(jobId, out var runs))
        {
            foreach (var run in runs.Keys)
            {
                run.Trip();
            }
        }
    }

    /// <summary>One run: its token, and whether it was the job (not the host, not the message) that was cancelled.</summary>
    public sealed class Run(RunningJobs owner, Guid jobId, CancellationTokenSource source) : IDisposable
    {
        private readonly CancellationToken _token = source.Token;

        public CancellationToken Token => _token;

        /// <summary>True when the job was cancelled, not the host stopped (then the message is redelivered later).</summary>
        public bool JobCancelled(CancellationToken consumeToken) =>
            _token.IsCancellationRequested && !consumeToken.IsCancellationRequested && !owner.Stopping;

        internal void Trip()
        {
            try
            {
                source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run ended while the cancel came in: nothing left to stop.
            }
        }

        public void Dispose()
        {
            if (owner._runs.TryGetValue(jobId, out var runs))
            {
                runs.TryRemove(this, out _);
                if (runs.IsEmpty)
                {
                    owner._runs.TryRemove(new KeyValuePair<Guid, ConcurrentDictionary<Run, byte>>(jobId, runs));
                }
            }

            source.Dispose();
        }
    }
}
