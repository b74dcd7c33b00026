using Pipeline.Contracts;
using Pipeline.Orchestrator.Api;
using Pipeline.Contracts.Api;

namespace Pipeline.Cli.Demo;

/// <summary>What `pipeline demo --json` prints (one object); the text summary shows the same facts.</summary>
public sealed record DemoResult
{
    public required Guid JobId { get; init; }

    /// <summary>Deployed, Rejected, Failed or Cancelled.</summary>
    public required string State { get; init; }
    public required int Rounds { get; init; }

    /// <summary>Every merged round: its validation loss and when it was merged, in seconds since training started.</summary>
    public IReadOnlyList<DemoRound>? History { get; init; }

    /// <summary>The deployed model on the test split.</summary>
    public ModelMetrics? Metrics { get; init; }

    /// <summary>The best round on the validation split (the metric training optimised).</summary>
    public ModelMetrics? Validation { get; init; }
    public ModelMetrics? Baseline { get; init; }

    /// <summary>The trivial predictor (training mean; majority class) on the same test split.</summary>
    public ModelMetrics? Trivial { get; init; }
    public DemoModel? Model { get; init; }
    public required IReadOnlyList<StageTiming> Stages { get; init; }
    public DemoError? Error { get; init; }
    public object? SamplePrediction { get; init; }

    /// <summary>The model on the rows of --test-file, which it never saw; null without that option.</summary>
    public HeldOutMetrics? HeldOut { get; init; }
}

public sealed record DemoModel(string Name, int? Version, string? Onnx);

public sealed record DemoError(string Stage, string Message);

/// <summary>One merged round of the demo's job, for time-to-quality comparisons (bench/quality/shards.py).</summary>
public sealed record DemoRound(int Round, double ValidationLoss, double Seconds);
