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
        "pipeline.training.shard.duration", unit: "s", description: "Compute time of one shard's local training (its epochs), without loading and saving.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] });

    private static readonly Counter<long> Samples = Meter.CreateCounter<long>(
        "pipeline.training.samples", unit: "{sample}", description: "Training samples processed: shard rows times local epochs.");

    private static readonly Histogram<double> Throughput = Meter.CreateHistogram<double>(
        "pipeline.training.shard.throughput", unit: "{sample}/s", description: "Samples per second of one shard's training.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1e2, 2.5e2, 5e2, 1e3, 2.5e3, 5e3, 1e4, 2.5e4, 5e4, 1e5, 2.5e5, 5e5, 1e6, 2.5e6, 5e6, 1e7] });

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
