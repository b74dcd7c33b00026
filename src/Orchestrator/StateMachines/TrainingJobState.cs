using Pipeline.Contracts;
using Pipeline.Platform.Persistence;

namespace Pipeline.Orchestrator.StateMachines;

/// <summary>
/// One job, as persisted. Scalars the dashboard filters on are columns; structured parts (spec, shard list, round
/// history) are typed values stored as JSON columns (<see cref="TrainingJobMap"/>): parsed once per load, changed in
/// place.
/// </summary>
public sealed class TrainingJobState : IVersionedSaga
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public uint RowVersion { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string ModelName { get; set; } = "";
    public ObjectRef Source { get; set; } = new("", "", "", 0);
    public JobSpec Spec { get; set; } = new();
    public string? DatasetId { get; set; }
    public long? DatasetRows { get; set; }

    // When each stage ended, for per-stage timings (ingest = AcceptedAt - SubmittedAt, and so on).
    public DateTimeOffset? AcceptedAt { get; set; }
    public DateTimeOffset? PreprocessedAt { get; set; }
    public DateTimeOffset? TrainedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    // Set once preprocessing is done.
    public DatasetPreprocessed? Prepared { get; set; }

    // Training progress.
    public int Round { get; set; }

    /// <summary>Results of the current round, one per shard at most (a duplicate ShardTrained is counted once).</summary>
    public List<ShardResult> RoundResults { get; set; } = [];

    /// <summary>Sends per shard in the current round, for the bounded-retry rule.</summary>
    public Dictionary<int, int> Attempts { get; set; } = [];
    public List<RoundRecord> History { get; set; } = [];
    public int BestRound { get; set; }
    public double? BestValidationLoss { get; set; }
    public ObjectRef? BestModel { get; set; }
    public int RoundsWithoutImprovement { get; set; }
    /// <summary>The scheduling token of the job's one timer (round timeout or stage deadline), to recognise and cancel it.</summary>
    public Guid? DeadlineToken { get; set; }

    // Outcome.
    public int? DeployedVersion { get; set; }

    /// <summary>Metrics of the deployed version on the test split, as Deploy measured them.</summary>
    public ModelMetrics? TestMetrics { get; set; }

    /// <summary>The ML.NET baseline and the trivial predictor on the same test split, as Deploy measured them.</summary>
    public ModelMetrics? BaselineMetrics { get; set; }
    public ModelMetrics? TrivialMetrics { get; set; }
    public string? FailedStage { get; set; }
    public string? FailureReason { get; set; }
}

/// <summary>What the job remembers of one merged round (shown as the loss chart); MergeComputeSeconds is the merger's arithmetic.</summary>
public sealed record RoundRecord(int Round, double TrainLoss, double ValidationLoss, ModelMetrics Validation, ObjectRef Model, DateTimeOffset MergedAt, IReadOnlyList<ShardResult> Shards, double? MergeComputeSeconds = null);
