using System.Diagnostics.Metrics;
using Pipeline.Platform.Telemetry;

namespace Pipeline.TrainWorker;

/// <summary>
/// The TrainWorker's instruments (meter <c>Pipeline.TrainWorker</c>, docs/OBSERVABILITY.md): how long a shard trains,
/// how many samples it went through (rows × local epochs; samples per second is the rate of this counter across
/// workers) and each shard's own throughput.
/// </summary>
public static class TrainWorkerMetrics
{
    private static readonly Meter Meter = PipelineTelemetry.CreateMeter("TrainWorker");

    private static readonly Histogram<double> ShardDuration = Meter.CreateHistogram<double>(
        "pipeline.training.shard.duration", unit: "s", description: "Compute time of one shard's local training (its epochs), without loading and saving.");

    private static readonly Counter<long> Samples = Meter.CreateCounter<long>(
        "pipeline.training.samples", unit: "{sample}", description: "Training samples processed: shard rows times local epochs.");

    private static readonly Histogram<double> Throughput = Meter.CreateHistogram<double>(
        "pipeline.training.shard.throughput", unit: "{sample}/s", description: "Samples per second of one shard's training.");

    public static void ShardTrained(double computeSeconds, long samples)
    {
        ShardDuration.Record(computeSeconds);
        Samples.Add(samples);
        if (computeSeconds > 0)
        {
            Throughput.Record(samples / computeSeconds);
        }
    }
}
