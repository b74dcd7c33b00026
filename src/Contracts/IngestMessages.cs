namespace Pipeline.Contracts;

/// <summary>Sent by the Orchestrator to Ingest: validate the source and register it in the dataset registry.</summary>
public sealed record ValidateDataset
{
    public required Guid JobId { get; init; }
    public required ObjectRef Source { get; init; }
    public required JobSpec Spec { get; init; }
}

/// <summary>Published by Ingest; the Orchestrator moves the job on to preprocessing.</summary>
public sealed record DatasetAccepted
{
    public required Guid JobId { get; init; }
    public required string DatasetId { get; init; }
    public required ObjectRef Dataset { get; init; }
    public required IReadOnlyList<string> Columns { get; init; }
    public required long Rows { get; init; }

    /// <summary>The spec with every default filled in (target, task).</summary>
    public required JobSpec ResolvedSpec { get; init; }
}

/// <summary>Published by Ingest; the Orchestrator fails the job with this reason (file, line, column named).</summary>
public sealed record DatasetRejected
{
    public required Guid JobId { get; init; }
    public required ObjectRef Source { get; init; }
    public required string Reason { get; init; }
}
