using Microsoft.EntityFrameworkCore;
using Pipeline.Orchestrator.Retention;
using Pipeline.Contracts.Api;

namespace Pipeline.Orchestrator.Api;

/// <summary>
/// The read side of jobs: the views <c>GET /api/jobs/{id}</c> serves, for whatever hosts the orchestrator in its own
/// process (the CLI's demo), so nothing outside the orchestrator reads its saga tables.
/// </summary>
public sealed class JobQueries(IDbContextFactory<OrchestratorDbContext> contexts)
{
    /// <summary>The job as the API shows it, or null when there is no such job (yet).</summary>
    public async Task<JobDetail?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.CorrelationId == id, cancellationToken);
        return job is null ? null : JobViewMapper.Detail(job);
    }

    /// <summary>
    /// The jobs among <paramref name="ids"/> that the saga knows, as the retention decision sees them; an id missing
    /// from the answer has no job. Read in batches so a bucket with thousands of job prefixes stays a few queries.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, JobRetentionView>> RetentionViewsAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var views = new Dictionary<Guid, JobRetentionView>();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var batch in ids.Distinct().Chunk(500))
        {
            var jobs = await db.Jobs.AsNoTracking().Where(j => batch.Contains(j.CorrelationId)).ToListAsync(cancellationToken);
            foreach (var job in jobs)
            {
                views[job.CorrelationId] = new JobRetentionView(
                    job.CorrelationId,
                    JobViewMapper.StateOf(job),
                    JobViewMapper.IsOver(job),
                    job.FinishedAt ?? job.UpdatedAt,
                    job.FailedStage,
                    job.BestModel?.Key);
            }
        }

        return views;
    }
}
