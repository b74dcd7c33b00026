using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pipeline.Platform.Persistence;

namespace Pipeline.Platform.Hosting;

/// <summary>
/// Ready only while the database answers (<c>Pipeline:Database</c>): job state, scheduled timeouts, registries all
/// live there. Registered by <c>AddPipelineBus</c>, which every service calls, on the scheduler's context (all
/// contexts share one connection string).
/// </summary>
internal sealed class DatabaseHealthCheck(DatabaseProbe probe) : IHealthCheck
{
    public const string Name = "database";

    // The same question the outage wait asks of a failed message: one probe, one answer.
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await probe.AnswersAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("database unreachable");
}
