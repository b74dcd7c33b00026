using Microsoft.Extensions.Logging;

namespace Pipeline.Platform.Messaging.Outages;

/// <summary>
/// Holds messages whose handling failed while <see cref="Probe"/>'s dependency does not answer, until it answers
/// again, so an outage longer than the in-process retries is waited out here and the message resumes seconds after
/// the dependency is back. Without it the failure runs into scheduled redelivery, whose intervals double to
/// <see cref="BusOptions.RedeliveryMaxInterval"/> (8 min: work resumed ~7.5 min after a 10-minute S3 outage), and
/// which for the database cannot work at all: the durable scheduler keeps redeliveries in that same database, so the
/// message went to its <c>_error</c> queue and its job waited for a deadline (docs/RELIABILITY.md).
/// One outage, one budget (<see cref="BusOptions.OutageWait"/>) shared by every message of the process: once it is
/// spent, failures go on to the retries and redelivery at once, until the dependency is seen answering again.
/// </summary>
public sealed partial class DependencyOutageWait(IDependencyProbe probe, BusOptions options, TimeProvider time, ILogger logger)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _unreachableSince;

    public IDependencyProbe Probe => probe;

    /// <summary>
    /// Returns at once (true) when the dependency answers; otherwise probes it every
    /// <see cref="BusOptions.OutageProbeInterval"/> until it answers (true) or the outage has lasted
    /// <see cref="BusOptions.OutageWait"/> (false).
    /// </summary>
    public async Task<bool> WaitUntilReachableAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await probe.AnswersAsync(cancellationToken))
            {
                Recovered();
                return true;
            }

            if (time.GetUtcNow() - Unreachable() >= options.OutageWait)
            {
                return false;
            }

            await Task.Delay(options.OutageProbeInterval, time, cancellationToken);
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
            LogUnreachable(logger, probe.Dependency, options.OutageWait);
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
                LogRecovered(logger, probe.Dependency, time.GetUtcNow() - since);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Dependency} does not answer; messages that failed on it wait for it (up to {Budget}) instead of going to redelivery.")]
    private static partial void LogUnreachable(ILogger logger, string dependency, TimeSpan budget);

    [LoggerMessage(Level = LogLevel.Information, Message = "The {Dependency} answers again after {Outage}; held messages are retried.")]
    private static partial void LogRecovered(ILogger logger, string dependency, TimeSpan outage);
}
