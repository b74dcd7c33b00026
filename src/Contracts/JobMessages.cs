namespace Pipeline.Contracts;

// Job lifecycle. CorrelationId of every job message is the JobId.

/// <summary>Sent by the CLI, the API or any client to Ingest: start a job on an object already in the store.</summary>
public sealed record SubmitTrainingJob
{
    public required Guid JobId { get; init; }
    public required ObjectRef Source { get; init; }
    public JobSpec Spec { get; init; } = new();
    public DateTimeOffset SubmittedAt { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>Published by Ingest once per object version; starts the TrainingJob saga in the Orchestrator.</summary>
public sealed record JobSubmitted
{
    public required Guid JobId { get; init; }
    public required ObjectRef Source { get; init; }
    public required JobSpec Spec { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
}

/// <summary>Sent by a user (CLI, dashboard) to the Orchestrator; honoured in every state.</summary>
public sealed record CancelJob
{
    public required Guid JobId { get; init; }
    public string Reason { get; init; } = "cancelled by user";
}

/// <summary>Published by the Orchestrator when a job is cancelled; workers drop its pending shards.</summary>
public sealed record JobCancelled
{
    public required Guid JobId { get; init; }
    public required string Reason { get; init; }
}

/// <summary>Published by the Orchestrator when any stage fails; the dashboard and CLI show the reason.</summary>
public sealed record JobFailed
{
    public required Guid JobId { get; init; }
    public required string Stage { get; init; }
    public required string Reason { get; init; }
}

/// <summary>Scheduled by the Orchestrator for itself: a round (or stage) did not finish in time.</summary>
public sealed record StageTimedOut
{
    public required Guid JobId { get; init; }
    public required string Stage { get; init; }
    public required int Round { get; init; }
}

/// <summary>
/// Sent by the API (an admin) to the Orchestrator: deploy a finished job's best model again, without retraining
/// (after a deployment that failed, or to restore a version's artifacts). The saga goes back to Deploying.
/// </summary>
public sealed record RedeployJob
{
    public required Guid JobId { get; init; }
    public required string RequestedBy { get; init; }

    /// <summary>Deploy even when the model is not worth serving (the job's force-deploy, for this deployment).</summary>
    public bool ForceDeploy { get; init; }
}
