namespace Pipeline.Contracts;

/// <summary>Sent by the Orchestrator to TrainWorkers (competing consumers): train one shard for one round.</summary>
public sealed record TrainShard
{
    public required Guid JobId { get; init; }
    public required int Round { get; init; }
    public required int Shard { get; init; }
    public required ObjectRef Data { get; init; }

    /// <summary>
    /// The global model to start from: the previous round's merge, or null in round 1, where every worker builds the
    /// same initial model from the job's seed (so no extra artifact is needed and the start is reproducible).
    /// </summary>
    public ObjectRef? GlobalModel { get; init; }
    public required int Features { get; init; }

    /// <summary>1 for regression; the number of classes for classification.</summary>
    public required int Outputs { get; init; }
    public required TaskKind Task { get; init; }
    public required TrainingSettings Settings { get; init; }

    /// <summary>How many times this (round, shard) has been sent; a worker sees a redelivery as attempt &gt; 1.</summary>
    public int Attempt { get; init; } = 1;
}

/// <summary>Published by a TrainWorker; the Orchestrator counts it once per (round, shard).</summary>
public sealed record ShardTrained
{
    public required Guid JobId { get; init; }
    public required int Round { get; init; }
    public required int Shard { get; init; }
    public required ObjectRef Model { get; init; }
    public required long Samples { get; init; }
    public required double Loss { get; init; }
    public required string Worker { get; init; }

    /// <summary>
    /// Seconds the worker spent in the arithmetic (the local epochs); null when it reported a result it found already
    /// stored. With the round's wall time it gives the share of coordination (docs/BENCHMARKS.md).
    /// </summary>
    public double? ComputeSeconds { get; init; }
}

/// <summary>Published by a TrainWorker when a shard cannot be trained; the Orchestrator retries or fails the job.</summary>
public sealed record ShardTrainingFailed
{
    public required Guid JobId { get; init; }
    public required int Round { get; init; }
    public required int Shard { get; init; }
    public required string Reason { get; init; }
    public required string Worker { get; init; }
}

/// <summary>Sent by the Orchestrator to the merger once all K shards of a round are in.</summary>
public sealed record MergeRound
{
    public required Guid JobId { get; init; }
    public required int Round { get; init; }

    /// <summary>Shard results in shard order, so the merge is reproducible whatever order they arrived in.</summary>
    public required IReadOnlyList<ShardResult> Results { get; init; }
    public required ObjectRef Validation { get; init; }
    public required TaskKind Task { get; init; }

    /// <summary>
    /// The global model the round's shards started from (the previous round's merge; null in round 1, the seeded
    /// initial model), which a server optimizer steps from.
    /// </summary>
    public ObjectRef? GlobalModel { get; init; }

    /// <summary>The job's resolved settings (merge scheme, server learning rate and momentum); null: plain averaging.</summary>
    public TrainingSettings? Settings { get; init; }
}

/// <summary>One shard's contribution to a merge, which worker trained it and how long its arithmetic took.</summary>
public sealed record ShardResult(int Shard, ObjectRef Model, long Samples, double Loss, string? Worker = null, double? ComputeSeconds = null);

/// <summary>Published by the merger; the Orchestrator records the metrics, then stops early or starts the next round.</summary>
public sealed record RoundMerged
{
    public required Guid JobId { get; init; }
    public required int Round { get; init; }
    public required ObjectRef Model { get; init; }
    public required double TrainLoss { get; init; }
    public required double ValidationLoss { get; init; }
    public required ModelMetrics Validation { get; init; }

    /// <summary>Seconds the merger spent averaging the parameters and evaluating the average on the validation split.</summary>
    public double? ComputeSeconds { get; init; }
}

/// <summary>Published by the merger when a merge cannot be done; the Orchestrator fails the job.</summary>
public sealed record MergeFailed
{
    public required Guid JobId { get; init; }
    public required int Round { get; init; }
    public required string Reason { get; init; }
}

/// <summary>
/// Published by the Orchestrator when a job's training is over (its best model goes to Deploy): workers drop the
/// job's shards and validation split from their caches instead of holding them until memory pressure evicts them.
/// </summary>
public sealed record TrainingFinished
{
    public required Guid JobId { get; init; }

    /// <summary>The training shards and the validation split the job's workers and merger read.</summary>
    public required IReadOnlyList<ObjectRef> Data { get; init; }
}
