using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Pipeline.Platform.Telemetry;

namespace Pipeline.Orchestrator;

/// <summary>
/// The Orchestrator's instruments (meter <c>Pipeline.Orchestrator</c>, docs/OBSERVABILITY.md):
/// <c>pipeline.jobs</c> (jobs by <c>state</c>, in the words of the CLI and dashboard, read from the saga table at each collection, so it is right after a
/// restart and across replicas, which all read the same table) and <c>pipeline.training.round.duration</c>.
/// </summary>
public static class OrchestratorMetrics
{
    private static readonly Meter Meter = PipelineTelemetry.CreateMeter("Orchestrator");

    // The job tables of the orchestrators this process hosts (one, except in tests that start several systems).
    private static readonly ConcurrentDictionary<object, Func<IReadOnlyList<(string State, int Count)>>> Sources = new();

    private static readonly Histogram<double> RoundDuration = Meter.CreateHistogram<double>(
        "pipeline.training.round.duration", unit: "s", description: "Wall time of a training round: from sending its shards to the merged model.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800] });

    static OrchestratorMetrics() =>
        Meter.CreateObservableGauge("pipeline.jobs", ObserveJobs, unit: "{job}", description: "Jobs by state (every job the database keeps, finished ones included).");

    // The last round counted per job: the saga records a round in its behaviour, before its save, and a RoundMerged
    // handled again after a failed save (an optimistic-concurrency conflict with another message of the job) must not
    // count the round twice. Rounds only grow, so one number per running job is enough; a finished job's entry is dropped.
    private static readonly ConcurrentDictionary<Guid, int> CountedRounds = new();

    /// <summary>Round <paramref name="round"/> of job <paramref name="jobId"/> merged, <paramref name="duration"/> after its shards were sent; once per round.</summary>
    public static void RoundMerged(Guid jobId, int round, TimeSpan duration)
    {
        // AddOrUpdate retries its factories until one's value is stored; the one that ran last is it, so its verdict counts.
        var advanced = false;
        CountedRounds.AddOrUpdate(
            jobId,
            _ =>
            {
                advanced = true;
                return round;
            },
            (_, counted) =>
            {
                advanced = round > counted;
                return Math.Max(round, counted);
            });
        if (advanced)
        {
            RoundDuration.Record(Math.Max(0, duration.TotalSeconds));
        }
    }

    /// <summary>The job ended: its rounds are counted for good.</summary>
    public static void JobFinished(Guid jobId) => CountedRounds.TryRemove(jobId, out _);

    private static IEnumerable<Measurement<long>> ObserveJobs()
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var source in Sources.Values)
        {
            try
            {
                foreach (var (state, count) in source())
                {
                    totals[state] = totals.GetValueOrDefault(state) + count;
                }
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException or TimeoutException)
            {
                // The database is away (readiness says so): no figure rather than a wrong one or a failed scrape.
            }
        }

        return totals.Select(t => new Measurement<long>(t.Value, new KeyValuePair<string, object?>("state", t.Key)));
    }

    /// <summary>Counts this host's jobs by state while it runs.</summary>
    internal sealed class JobsByStateSource(IDbContextFactory<OrchestratorDbContext> contexts) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            Sources[this] = Count;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Sources.TryRemove(this, out _);
            return Task.CompletedTask;
        }

        private List<(string, int)> Count()
        {
            using var db = contexts.CreateDbContext();
            return [.. db.Jobs.AsNoTracking().GroupBy(j => j.CurrentState).Select(g => new { g.Key, Count = g.Count() }).AsEnumerable().Select(g => (Api.JobViewMapper.StateOf(g.Key), g.Count))];
        }
    }
}
