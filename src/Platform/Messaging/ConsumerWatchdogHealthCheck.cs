using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipeline.Platform.Messaging;

/// <summary>Liveness: unhealthy while a queue of this process has lost its consumer for good (see <see cref="ConsumerWatchdog"/>).</summary>
internal sealed class ConsumerWatchdogHealthCheck(ConsumerWatchdog watchdog) : IHealthCheck
{
    public const string Name = "broker-consumers";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(watchdog.StuckQueues is { Count: > 0 } stuck
            ? HealthCheckResult.Unhealthy($"queue(s) {string.Join(", ", stuck)} have no consumer although RabbitMQ answers, and reconnecting did not help: restart this service")
            : HealthCheckResult.Healthy());
}
