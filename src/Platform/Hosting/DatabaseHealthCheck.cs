using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pipeline.Platform.Scheduling;

namespace Pipeline.Platform.Hosting;

/// <summary>
/// Ready only while the database answers (<c>Pipeline:Database</c>): job state, scheduled timeouts, registries all
/// live there. Registered by <c>AddPipelineBus</c>, which every service calls, on the scheduler's context (all
/// contexts share one connection string).
/// </summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<SchedulerDbContext> contexts) : IHealthCheck
{
    public const string Name = "database";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            return await db.Database.CanConnectAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("database unreachable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("database unreachable", ex);
        }
    }
}
