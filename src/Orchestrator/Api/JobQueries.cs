using Microsoft.EntityFrameworkCore;

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
}
