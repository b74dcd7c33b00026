namespace Pipeline.Deploy.Registry;

/// <summary>One version of a named model. Metrics and lineage are JSON (their shape belongs to the model card).</summary>
public sealed class ModelVersionRecord
{
    public required string Name { get; set; }

    public required int Version { get; set; }

    /// <summary>The job that produced it; (name, job) is unique so a redelivered DeployModel finds its version.</summary>
    public required Guid JobId { get; set; }

    public ModelStage Stage { get; set; } = ModelStage.Candidate;

    /// <summary>Why the stage is what it is (gate decision, rollback request).</summary>
    public string? StageReason { get; set; }

    public required string Task { get; set; }

    /// <summary>The metric the gate compares (<c>rmse</c>, <c>accuracy</c>) and this version's value on the test split.</summary>
    public required string GateMetric { get; set; }

    public required double TestScore { get; set; }

    public required string TestMetricsJson { get; set; }

    public required string ValidationMetricsJson { get; set; }

    public string? BaselineMetricsJson { get; set; }

    public required string LineageJson { get; set; }

    /// <summary>Bucket and prefix of the artifacts (model, transform, ONNX, card).</summary>
    public required string ArtifactBucket { get; set; }

    public required string ArtifactPrefix { get; set; }

    public required DateTime CreatedAt { get; set; }

    public DateTime StageChangedAt { get; set; }
}

/// <summary>A period during which a version was production: the registry's history of who was production when.</summary>
public sealed class ProductionPeriodRecord
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public required int Version { get; set; }

    public required DateTime Since { get; set; }

    public DateTime? Until { get; set; }

    /// <summary>How it became production, e.g. "promoted by the quality gate (job …)" or "rollback requested by alice".</summary>
    public required string Reason { get; set; }
}
