using System.Diagnostics;
using OpenTelemetry;

namespace Pipeline.Platform.Telemetry;

/// <summary>
/// Drops database spans that belong to no trace: the durable scheduler polls its table every half second and the
/// dashboard's change feed polls the jobs table, and each poll would otherwise be a trace of its own that buries the
/// job traces. A database span inside a request or a consumed message (it has a parent) is kept. Clearing the
/// Recorded flag at start keeps every exporter from exporting it, whatever order the processors run in.
/// </summary>
internal sealed class OrphanDatabaseSpanFilter : BaseProcessor<Activity>
{
    internal const string EntityFrameworkSource = "OpenTelemetry.Instrumentation.EntityFrameworkCore";

    public override void OnStart(Activity data)
    {
        if (data.Parent is null && data.ParentSpanId == default
            && data.Source.Name is EntityFrameworkSource or PipelineTelemetry.NpgsqlSource)
        {
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            data.IsAllDataRequested = false;
        }
    }
}
