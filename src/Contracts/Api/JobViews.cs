namespace Pipeline.Contracts.Api;

/// <summary>One row of the jobs list (and one server-sent event): what a user scans for.</summary>
public sealed record JobSummary
{
    public required Guid JobId { get; init; }

    /// <summary>Validating, Preprocessing, Training, Merging, Deploying, Deployed, Rejected, Failed or Cancelled.</summary>
    public required string State { get; init; }

    /// <summary>The stage the job is in or ended in: ingest, preprocess, train, deploy.</summary>
    public required string Stage { get; init; }
    public required bool Finished { get; init; }
    public required string ModelName { get; init; }
    public required string Source { get; init; }
    public required int Round { get; init; }
    public required int Rounds { get; init; }

    /// <summary>0..1: stages done plus the share of training rounds merged.</summary>
    public required double Progress { get; init; }
    public double? ValidationLoss { get; init; }
    public int? DeployedVersion { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public string? Error { get; init; }
}

/// <summary>Everything the job page shows.</summary>
public sealed record JobDetail
{
    public required JobSummary Summary { get; init; }
    public required JobSpec Spec { get; init; }
    public required IReadOnlyList<TimelineEntry> Timeline { get; init; }
    public required IReadOnlyList<StageTiming> Stages { get; init; }
    public string? DatasetId { get; init; }
    public long? DatasetRows { get; init; }
    public required IReadOnlyList<ShardView> Shards { get; init; }
    public required IReadOnlyList<RoundView> Rounds { get; init; }
    public int? BestRound { get; init; }
    public JobFailure? Failure { get; init; }
    public DeployedModelView? Model { get; init; }

    /// <summary>Where the dataset profile is served (<c>/api/jobs/{id}/profile</c>), once preprocessing is done.</summary>
    public string? ProfileUrl { get; init; }
}

public sealed record TimelineEntry(string Stage, DateTimeOffset At);

public sealed record StageTiming(string Name, double Seconds);

/// <summary>A training shard: its rows, whether it has reported this round, and the worker that trained it last.</summary>
public sealed record ShardView(int Index, long Rows, bool DoneThisRound, string? Worker, double? Loss, int Attempts);

/// <summary>A merged round: the points of the loss chart, with each shard's local training loss.</summary>
public sealed record RoundView(int Round, double TrainLoss, double ValidationLoss, ModelMetrics Validation, DateTimeOffset MergedAt, IReadOnlyList<ShardLoss> Shards);

public sealed record ShardLoss(int Shard, double Loss, long Samples, string? Worker);

public sealed record JobFailure(string Stage, string Reason);

/// <summary>
/// The version the job registered: its test metrics beside the ML.NET baseline's and the trivial predictor's (training
/// mean; majority class) on the same split, and the outcome (Deployed, or Rejected with the job's error as reason).
/// </summary>
public sealed record DeployedModelView(string Name, int? Version, ModelMetrics? Test, string Outcome, ModelMetrics? Baseline = null, ModelMetrics? Trivial = null);
