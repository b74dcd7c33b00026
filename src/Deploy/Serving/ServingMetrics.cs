using System.Diagnostics.Metrics;
using Pipeline.Platform.Telemetry;

namespace Pipeline.Deploy.Serving;

/// <summary>
/// Serving's instruments (meter <c>Pipeline.Deploy</c>, docs/OBSERVABILITY.md), labelled with the <c>model</c> name
/// (never the version: its number grows without bound): rows predicted (predictions per second is the rate) and
/// the time one answered request spent from routing to the result (reading, encoding, the model), per request.
/// </summary>
public static class ServingMetrics
{
    private static readonly Meter Meter = PipelineTelemetry.CreateMeter("Deploy");

    private static readonly Counter<long> Predictions = Meter.CreateCounter<long>(
        "pipeline.serving.predictions", unit: "{prediction}", description: "Rows predicted (one per row of a batch).");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "pipeline.serving.prediction.duration", unit: "s", description: "Latency of an answered prediction request, body read to result.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    public static void Predicted(string model, int rows, long startTimestamp)
    {
        var tag = new KeyValuePair<string, object?>("model", model);
        Predictions.Add(rows, tag);
        Duration.Record(PipelineTelemetry.SecondsSince(startTimestamp), tag);
    }
}
