using Pipeline.Tabular.Schema;

namespace Pipeline.Tabular.Transforms;

/// <summary>
/// How one original column becomes features, fitted on the training split. Declarative on purpose: serving,
/// the ONNX exporter and any other language can apply it from the JSON alone.
/// <list type="bullet">
/// <item>Numeric: missing or unreadable → <see cref="Impute"/>; one feature (x − mean) / std.</item>
/// <item>Boolean: true/yes → 1, false/no → 0, missing → <see cref="Impute"/>; one feature, not scaled.</item>
/// <item>Date: missing → <see cref="Impute"/> (days since 1970); three features: days, month (1-12), day of week
///   (0 = Sunday), each (x − mean) / std.</item>
/// <item>Categorical: missing → <see cref="ImputeCategory"/>; one 0/1 feature per entry of <see cref="Categories"/>
///   (ordinal order); a category not seen in training gives all zeros.</item>
/// </list>
/// </summary>
public sealed record ColumnTransform
{
    public required string Name { get; init; }

    public required ColumnKind Kind { get; init; }

    /// <summary>Replacement for a missing value: the number, 1/0 for booleans, days since 1970 for dates.</summary>
    public double Impute { get; init; }

    public string? ImputeCategory { get; init; }

    public IReadOnlyList<string>? Categories { get; init; }

    /// <summary>Mean and standard deviation per produced feature (numeric: 1, date: 3); null when not scaled.</summary>
    public IReadOnlyList<FeatureScale>? Scales { get; init; }

    /// <summary>Number of features this column produces.</summary>
    public int FeatureCount => Kind switch
    {
        ColumnKind.Numeric or ColumnKind.Boolean => 1,
        ColumnKind.Date => 3,
        ColumnKind.Categorical => Categories?.Count ?? 0,
        _ => 0,
    };

    public IEnumerable<string> FeatureNames() => Kind switch
    {
        ColumnKind.Date => [$"{Name}:days", $"{Name}:month", $"{Name}:dayofweek"],
        ColumnKind.Categorical => (Categories ?? []).Select(c => $"{Name}={c}"),
        _ => [Name],
    };
}

/// <summary>z-score parameters of one feature, fitted on the training split (population standard deviation).</summary>
public sealed record FeatureScale(double Mean, double Std)
{
    public float Apply(double value) => (float)((value - Mean) / (Std > 0 ? Std : 1));
}
