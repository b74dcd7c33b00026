namespace Pipeline.Contracts;

/// <summary>Sent by the Orchestrator to Deploy: register the best round's model, gate it, serve it.</summary>
public sealed record DeployModel
{
    public required Guid JobId { get; init; }
    public required string ModelName { get; init; }
    public required ObjectRef Model { get; init; }
    public required ObjectRef Transform { get; init; }
    public required ObjectRef Test { get; init; }
    public required int BestRound { get; init; }
    public required ModelMetrics Validation { get; init; }

    // Lineage the model card and registry record when the saga provides it (optional so older senders still work).

    /// <summary>SHA-256 of the raw dataset the job trained on.</summary>
    public string? DatasetSha256 { get; init; }

    /// <summary>The raw dataset object the job started from.</summary>
    public ObjectRef? Source { get; init; }

    /// <summary>The dataset profile Preprocess wrote (column kinds, missing counts, dropped columns).</summary>
    public ObjectRef? Profile { get; init; }

    /// <summary>The job's hyperparameters.</summary>
    public TrainingSettings? Settings { get; init; }

    /// <summary>Validation loss and metrics of every round, in order.</summary>
    public IReadOnlyList<RoundSummary>? RoundHistory { get; init; }

    /// <summary>The training shards, so the ML.NET baseline trains on the same rows (else it trains on the validation split).</summary>
    public IReadOnlyList<ObjectRef>? TrainingShards { get; init; }

    /// <summary>The validation split (else Deploy looks for <c>validation.bin</c> next to the test split).</summary>
    public ObjectRef? ValidationSplit { get; init; }

    /// <summary>Deploy even when the model does not beat the trivial predictor or the baseline (the job's force-deploy).</summary>
    public bool ForceDeploy { get; init; }
}

/// <summary>One round of a job as the model card shows it.</summary>
public sealed record RoundSummary(int Round, double ValidationLoss, ModelMetrics Validation);

/// <summary>Published by Deploy when the version is production; serving instances hot-swap to it.</summary>
public sealed record ModelDeployed
{
    public required Guid JobId { get; init; }
    public required string ModelName { get; init; }
    public required int Version { get; init; }
    public required ModelMetrics Test { get; init; }

    /// <summary>The ML.NET baseline on the same test split (null when it was off or failed).</summary>
    public ModelMetrics? Baseline { get; init; }

    /// <summary>The trivial predictor (training mean; majority class) on the same test split.</summary>
    public ModelMetrics? Trivial { get; init; }
}

/// <summary>Published by Deploy when the quality gate keeps the current production version.</summary>
public sealed record DeploymentRejected
{
    public required Guid JobId { get; init; }
    public required string ModelName { get; init; }
    public required int Version { get; init; }
    public required string Reason { get; init; }

    /// <summary>The version's test metrics, with the baseline's and the trivial predictor's on the same split.</summary>
    public ModelMetrics? Test { get; init; }

    public ModelMetrics? Baseline { get; init; }

    public ModelMetrics? Trivial { get; init; }
}

/// <summary>Published by Deploy when registering or exporting the model fails; the Orchestrator fails the job.</summary>
public sealed record DeploymentFailed
{
    public required Guid JobId { get; init; }
    public required string Reason { get; init; }
}

/// <summary>Sent by the CLI or the API to Deploy: make an earlier version production again.</summary>
public sealed record RollbackModel
{
    public required string ModelName { get; init; }

    /// <summary>The version to go back to; the previous production version when null.</summary>
    public int? ToVersion { get; init; }
    public required string RequestedBy { get; init; }
}

/// <summary>Published by Deploy after a rollback; serving instances swap to the version.</summary>
public sealed record ModelRolledBack
{
    public required string ModelName { get; init; }
    public required int FromVersion { get; init; }
    public required int ToVersion { get; init; }
}
