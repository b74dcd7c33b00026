using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pipeline.Platform.Messaging.Outages;

/// <summary>One <see cref="DependencyOutageWait"/> per registered <see cref="IDependencyProbe"/>, for the whole process.</summary>
public sealed class DependencyOutages(IEnumerable<IDependencyProbe> probes, IOptions<BusOptions> options, TimeProvider time, ILoggerFactory loggers)
{
    private readonly DependencyOutageWait[] _waits = [.. probes.Select(p => new DependencyOutageWait(p, options.Value, time, loggers.CreateLogger<DependencyOutageWait>()))];

    /// <summary>The waits of the dependencies whose outage may have caused <paramref name="exception"/>.</summary>
    public IEnumerable<DependencyOutageWait> Suspects(Exception exception) => _waits.Where(w => w.Probe.MayHaveCaused(exception));
}
