using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Ingest.Triggers;

/// <summary>
/// Lists the ingest bucket every <see cref="IngestOptions.PollInterval"/> and triggers every object version not
/// seen yet. Works with any S3 endpoint and with the local folder store. Versions already handled are remembered
/// in memory so a poll costs one listing; after a restart the object-version table answers instead.
/// </summary>
public sealed partial class BucketWatcher(
    IArtifactStore store,
    IServiceScopeFactory scopes,
    IOptions<IngestOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<BucketWatcher> logger) : BackgroundService
{
    private readonly HashSet<(string Key, string ETag)> _handled = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (o.PollInterval <= TimeSpan.Zero)
        {
            return;
        }

        // Publishing needs a started bus; the host is started once every hosted service (the bus included) is.
        await WhenStarted(stoppingToken);
        using var timer = new PeriodicTimer(o.PollInterval);
        do
        {
            try
            {
                await ScanOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogScanFailed(logger, o.Bucket, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One listing of the bucket; returns how many jobs were started.</summary>
    public async Task<int> ScanOnceAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        await store.EnsureBucketAsync(o.Bucket, cancellationToken);
        var started = 0;
        await using var scope = scopes.CreateAsyncScope(); // the trigger publishes through the scoped publish endpoint
        var trigger = scope.ServiceProvider.GetRequiredService<ObjectTrigger>();
        await foreach (var item in store.ListAsync(o.Bucket, o.Prefix, cancellationToken))
        {
            if (IsIgnored(item.Key, o))
            {
                continue;
            }

            var version = (item.Key, JobIds.NormalizeETag(item.ETag));
            if (_handled.Contains(version))
            {
                continue;
            }

            var result = await trigger.TriggerAsync(o.Bucket, item.Key, "listing", cancellationToken: cancellationToken);
            if (result.Outcome == TriggerOutcome.Started)
            {
                started++;
            }

            _handled.Add(version);
        }

        return started;
    }

    internal static bool IsIgnored(string key, IngestOptions options) =>
        key.StartsWith(options.RejectedPrefix, StringComparison.Ordinal) || key.EndsWith('/');

    private Task WhenStarted(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing the ingest bucket {Bucket} failed; retrying at the next poll")]
    private static partial void LogScanFailed(ILogger logger, string bucket, Exception ex);
}
