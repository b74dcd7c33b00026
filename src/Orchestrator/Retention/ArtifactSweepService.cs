using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Orchestrator.Retention;

/// <summary>
/// The periodic sweep: every <see cref="RetentionOptions.SweepInterval"/>, one <see cref="ArtifactSweeper"/> pass that
/// deletes what the retention policy lets go (never orphans: those wait for a person's <c>pipeline gc --delete-orphans</c>).
/// A failed pass (store or database down) is logged and the next interval tries again; it never stops the host.
/// </summary>
public sealed partial class ArtifactSweepService(IServiceScopeFactory scopes, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<ArtifactSweepService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Sweep || o.SweepInterval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(o.SweepInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<ArtifactSweeper>().SweepAsync(dryRun: false, deleteOrphans: false, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(logger, ex, o.SweepInterval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Artifact sweep failed; the next runs in {Interval}")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception, TimeSpan interval);
}
