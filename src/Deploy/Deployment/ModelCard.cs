using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Contracts;
using Pipeline.Deploy.Baseline;

namespace Pipeline.Deploy.Deployment;

/// <summary>The human-readable record of a version, stored as <c>card.json</c> next to its artifacts.</summary>
public sealed record ModelCard
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public required string Name { get; init; }

    public required int Version { get; init; }

    public required DateTime CreatedAt { get; init; }

    public required TaskKind Task { get; init; }

    public required string Architecture { get; init; }

    public required IReadOnlyList<string> Features { get; init; }

    public IReadOnlyList<string>? Classes { get; init; }

    public required ModelMetrics Validation { get; init; }

    public required ModelMetrics Test { get; init; }

    public required BaselineResult Baseline { get; init; }

    /// <summary>The trivial predictor (training mean; majority class) on the same test split: the floor a model must beat.</summary>
    public ModelMetrics? Trivial { get; init; }

    /// <summary>Classifiers: the softmax temperature fitted on the validation split; null for regression.</summary>
    public CalibrationRecord? Calibration { get; init; }

    public required GateRecord Gate { get; init; }

    public required Lineage Lineage { get; init; }

    public required IReadOnlyDictionary<string, ObjectRef> Artifacts { get; init; }

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);
}

/// <summary>What the quality gate compared and decided.</summary>
public sealed record GateRecord(string Metric, double Test, double Tolerance, bool Promoted, string Reason, int? ComparedWithVersion);

/// <summary>Where a version came from: enough to reproduce it.</summary>
public sealed record Lineage
{
    public required Guid JobId { get; init; }

    public string? DatasetSha256 { get; init; }

    public ObjectRef? Source { get; init; }

    public ObjectRef? Profile { get; init; }

    public required ObjectRef Transform { get; init; }

    public required ObjectRef TrainedModel { get; init; }

    public required ObjectRef TestSplit { get; init; }

    public TrainingSettings? Hyperparameters { get; init; }

    public required int BestRound { get; init; }

    public IReadOnlyList<RoundSummary>? RoundHistory { get; init; }

    /// <summary>Informational version of the numerics engine that trained and serves the model.</summary>
    public required string EngineVersion { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, ModelCard.Json);
}
