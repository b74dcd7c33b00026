using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Platform.Persistence;

namespace Pipeline.Orchestrator.StateMachines;

/// <summary>
/// One job, as persisted. Scalars the dashboard filters on are columns; structured parts (spec, shard list, round
/// history) are JSON text columns, read and written through the typed accessors below.
/// </summary>
public sealed class TrainingJobState : IVersionedSaga
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public uint RowVersion { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string ModelName { get; set; } = "";
    public string SourceJson { get; set; } = "";
    public string SpecJson { get; set; } = "";
    public string? DatasetId { get; set; }
    public long? DatasetRows { get; set; }

    // When each stage ended, for per-stage timings (ingest = AcceptedAt - SubmittedAt, and so on).
    public DateTimeOffset? AcceptedAt { get; set; }
    public DateTimeOffset? PreprocessedAt { get; set; }
    public DateTimeOffset? TrainedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    // Set once preprocessing is done.
    public string? PreparedJson { get; set; }

    // Training progress.
    public int Round { get; set; }

    /// <summary>Results of the current round, one per shard at most (a duplicate ShardTrained is counted once).</summary>
    public string RoundResultsJson { get; set; } = "[]";

    /// <summary>Sends per shard in the current round, for the bounded-retry rule.</summary>
    public string AttemptsJson { get; set; } = "{}";
    public string HistoryJson { get; set; } = "[]";
    public int BestRound { get; set; }
    public double? BestValidationLoss { get; set; }
    public string? BestModelJson { get; set; }
    public int RoundsWithoutImprovement { get; set; }
    /// <summary>The scheduling token of the job's one timer (round timeout or stage deadline), to recognise and cancel it.</summary>
    public Guid? DeadlineToken { get; set; }

    // Outcome.
    public int? DeployedVersion { get; set; }

    /// <summary>Metrics of the deployed version on the test split, as Deploy measured them.</summary>
    public string? TestMetricsJson { get; set; }

    /// <summary>The ML.NET baseline and the trivial predictor on the same test split, as Deploy measured them.</summary>
    public string? BaselineMetricsJson { get; set; }
    public string? TrivialMetricsJson { get; set; }
    public string? FailedStage { get; set; }
    public string? FailureReason { get; set; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public ObjectRef Source
    {
        get => Read<ObjectRef>(SourceJson)!;
        set => SourceJson = Write(value);
    }

    public JobSpec Spec
    {
        get => Read<JobSpec>(SpecJson)!;
        set => SpecJson = Write(value);
    }

    public DatasetPreprocessed? Prepared
    {
        get => PreparedJson is null ? null : Read<DatasetPreprocessed>(PreparedJson);
        set => PreparedJson = value is null ? null : Write(value);
    }

    public List<ShardResult> RoundResults
    {
        get => Read<List<ShardResult>>(RoundResultsJson)!;
        set => RoundResultsJson = Write(value);
    }

    public Dictionary<int, int> Attempts
    {
        get => Read<Dictionary<int, int>>(AttemptsJson)!;
        set => AttemptsJson = Write(value);
    }

    public List<RoundRecord> History
    {
        get => Read<List<RoundRecord>>(HistoryJson)!;
        set => HistoryJson = Write(value);
    }

    public ModelMetrics? TestMetrics
    {
        get => TestMetricsJson is null ? null : Read<ModelMetrics>(TestMetricsJson);
        set => TestMetricsJson = value is null ? null : Write(value);
    }

    public ModelMetrics? BaselineMetrics
    {
        get => BaselineMetricsJson is null ? null : Read<ModelMetrics>(BaselineMetricsJson);
        set => BaselineMetricsJson = value is null ? null : Write(value);
    }

    public ModelMetrics? TrivialMetrics
    {
        get => TrivialMetricsJson is null ? null : Read<ModelMetrics>(TrivialMetricsJson);
        set => TrivialMetricsJson = value is null ? null : Write(value);
    }

    public ObjectRef? BestModel
    {
        get => BestModelJson is null ? null : Read<ObjectRef>(BestModelJson);
        set => BestModelJson = value is null ? null : Write(value);
    }

    private static T? Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Json);

    private static string Write<T>(T value) => JsonSerializer.Serialize(value, Json);
}

/// <summary>What the job remembers of one merged round (shown as the loss chart); MergeComputeSeconds is the merger's arithmetic.</summary>
public sealed record RoundRecord(int Round, double TrainLoss, double ValidationLoss, ModelMetrics Validation, ObjectRef Model, DateTimeOffset MergedAt, IReadOnlyList<ShardResult> Shards, double? MergeComputeSeconds = null);
