namespace Pipeline.Contracts;

/// <summary>Sent by the Orchestrator to Preprocess: clean, split, fit transforms on train, write K shards.</summary>
public sealed record PreprocessDataset
{
    public required Guid JobId { get; init; }
    public required string DatasetId { get; init; }
    public required ObjectRef Dataset { get; init; }
    public required JobSpec Spec { get; init; }
}

/// <summary>Published by Preprocess; the Orchestrator starts round 1.</summary>
public sealed record DatasetPreprocessed
{
    public required Guid JobId { get; init; }
    public required IReadOnlyList<ShardInfo> Shards { get; init; }
    public required ObjectRef Validation { get; init; }
    public required ObjectRef Test { get; init; }
    public required ObjectRef Transform { get; init; }
    public required ObjectRef Profile { get; init; }
    public required int Features { get; init; }
    public required int Outputs { get; init; }
    public required TaskKind Task { get; init; }
}

/// <summary>One training shard written by Preprocess.</summary>
public sealed record ShardInfo(int Index, ObjectRef Data, long Rows);

/// <summary>Published by Preprocess when the data cannot be prepared; the Orchestrator fails the job.</summary>
public sealed record PreprocessingFailed
{
    public required Guid JobId { get; init; }
    public required string Reason { get; init; }
}
