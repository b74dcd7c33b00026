using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pipeline.Platform.Telemetry;

/// <summary>
/// The names our own telemetry uses (docs/OBSERVABILITY.md), so that the registration, the services that record and
/// the dashboards cannot disagree. Every service's meter is named <c>Pipeline.&lt;Service&gt;</c>; the registration
/// listens to <see cref="MeterPrefix"/>* so a new service's meter is exported without touching it.
/// </summary>
public static class PipelineTelemetry
{
    /// <summary>Our own spans (a scheduled message's dispatch, for one).</summary>
    public const string ActivitySourceName = "Pipeline";

    public const string MeterPrefix = "Pipeline.";

    /// <summary>MassTransit 8.5 names both its ActivitySource and its Meter "MassTransit".</summary>
    public const string MassTransitSource = "MassTransit";

    /// <summary>Npgsql (8 and later) emits its own spans and metrics under "Npgsql"; no extra package needed.</summary>
    public const string NpgsqlSource = "Npgsql";

    /// <summary>The span and log-scope attribute that carries a job's id.</summary>
    public const string JobIdTag = "pipeline.job_id";

    public static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>A service's meter: <c>Pipeline.&lt;service&gt;</c>. Static, one per process, like the ActivitySource.</summary>
    public static Meter CreateMeter(string service) => new(MeterPrefix + service);

    /// <summary>Seconds since a <see cref="Stopwatch.GetTimestamp"/> value (OpenTelemetry's unit for durations).</summary>
    public static double SecondsSince(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
}
