using System.Text.Json;

namespace Pipeline.Contracts.Api;

/// <summary>One version as the registry routes show it (<c>GET /models</c>, <c>GET /models/{name}</c>).</summary>
public sealed record ModelVersionView(
    string Name,
    int Version,
    string Stage,
    string? StageReason,
    string Task,
    Guid JobId,
    DateTime CreatedAt,
    DateTime StageChangedAt,
    string GateMetric,
    JsonElement Test,
    JsonElement Validation,
    JsonElement? Baseline,
    string Artifacts);

/// <summary><c>GET /models</c>: one entry per name.</summary>
public sealed record ModelSummaryView(string Name, int? Production, int Latest, IReadOnlyList<ModelVersionView> Versions);

/// <summary>A period during which a version was production.</summary>
public sealed record ProductionPeriodView(int Version, DateTime Since, DateTime? Until, string Reason);

/// <summary><c>GET /models/{name}</c>.</summary>
public sealed record ModelDetailView(string Name, int? Production, IReadOnlyList<ModelVersionView> Versions, IReadOnlyList<ProductionPeriodView> History);

/// <summary><c>POST /models/{name}/rollback</c>: production moved from one version to another (equal: nothing changed).</summary>
public sealed record RollbackView(string Name, int FromVersion, int ToVersion);
