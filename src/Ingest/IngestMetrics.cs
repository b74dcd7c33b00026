using System.Diagnostics.Metrics;
using Pipeline.Platform.Telemetry;

namespace Pipeline.Ingest;

/// <summary>
/// Ingest's instrument (meter <c>Pipeline.Ingest</c>, docs/OBSERVABILITY.md): bytes read from the bucket while
/// validating data sets; bytes per second is its rate.
/// </summary>
public static class IngestMetrics
{
    private static readonly Meter Meter = PipelineTelemetry.CreateMeter("Ingest");

    private static readonly Counter<long> Bytes = Meter.CreateCounter<long>(
        "pipeline.ingest.bytes", unit: "By", description: "Bytes of submitted data files read by Ingest.");

    public static void Read(int bytes) => Bytes.Add(bytes);
}
