using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pipeline.Platform.Persistence;

/// <summary>
/// Holds a message whose handling failed on the database until the database answers again, so an outage longer
/// than the retries is waited out in process. Scheduled redelivery cannot do it: the durable scheduler keeps its
/// messages in the same database, so with the database down the redelivery itself fails and the message would go to
/// the <c>_error</c> queue, leaving its job waiting for a deadline (docs/RELIABILITY.md, "Known problems").
/// One outage, one budget (<see cref="DatabaseOptions.OutageWait"/>) shared by every message of the process: once it
/// is spent, failures go on to the usual retries and redelivery at once, until the database is seen again.
/// </summary>
public sealed partial class DatabaseOutageWait(IDatabaseProbe probe, IOptions<DatabaseOptions> options, TimeProvider time, ILogger<DatabaseOutageWait> logger)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _unreachableSince;

    /// <summary>Whether <paramref name="exception"/> or one it wraps came from a database driver.</summary>
    public static bool InvolvesTheDatabase(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException)
            {
                return true;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(InvolvesTheDatabase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Returns at once (true) when the database answers; otherwise probes it every
    /// <see cref="DatabaseOptions.OutageProbeInterval"/> until it answers (true) or the outage has lasted
    /// <see cref="DatabaseOptions.OutageWait"/> (false).
    /// </summary>
    public async Task<bool> WaitUntilReachableAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        while (true)
        {
            if (await probe.AnswersAsync(cancellationToken))
            {
                Recovered();
                return true;
            }

            var since = Unreachable();
            if (time.GetUtcNow() - since >= settings.OutageWait)
            {
                return false;
            }

            await Task.Delay(settings.OutageProbeInterval, time, cancellationToken);
        }
    }

    private DateTimeOffset Unreachable()
    {
        lock (_gate)
        {
            if (_unreachableSince is { } since)
            {
                return since;
            }

            _unreachableSince = time.GetUtcNow();
            LogUnreachable(logger, options.Value.OutageWait);
            return _unreachableSince.Value;
        }
    }

    private void Recovered()
    {
        lock (_gate)
        {
            if (_unreachableSince is { } since)
            {
                _unreachableSince = null;
                LogRecovered(logger, time.GetUtcNow() - since);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database does not answer; messages that failed on it wait for it (up to {Budget}) instead of going to redelivery, which needs it too.")]
    private static partial void LogUnreachable(ILogger logger, TimeSpan budget);

    [LoggerMessage(Level = LogLevel.Information, Message = "The database answers again after {Outage}; held messages are retried.")]
    private static partial void LogRecovered(ILogger logger, TimeSpan outage);
}
