using Pipeline.Tabular.Schema;

namespace Pipeline.Tabular.Transforms;

/// <summary>
/// How one original column becomes features, fitted on the training split. Declarative on purpose: serving,
/// the ONNX exporter and any other language can apply it from the JSON alone.
/// <list type="bullet">
/// <item>Numeric: missing or unreadable → <see cref="Impute"/>; one feature (x − mean) / std. With <see cref="Encoding"/>
///   <c>log</c> (a long right tail: prices, counts, rainfall) the value is first compressed to
///   ln(1 + max(x − <see cref="LogShift"/>, 0) / <see cref="LogUnit"/>), and mean and std are those of the compressed
///   values (<see cref="FeatureEncoder.Compress"/>).</item>
/// <item>Boolean: true/yes → 1, false/no → 0, missing → <see cref="Impute"/>; one feature, not scaled.</item>
/// <item>Date (<see cref="Encoding"/> <c>cyclic</c>): missing → <see cref="Impute"/> (days since 1970); seven
///   features: days, then sine and cosine of the month, the day of the week and the time of day, each
///   (x − mean) / std. Without an encoding (transforms written before it existed): days, month, day of week.</item>
/// <item>Categorical: missing → <see cref="ImputeCategory"/>; one 0/1 feature per entry of <see cref="Categories"/>;
///   with <see cref="Encoding"/> <c>top+other</c> (more distinct values than kept) one more feature that is 1 for
///   any other value, else a category not seen in training gives all zeros.</item>
/// <item>Text (<see cref="Encoding"/> <c>text</c>, a categorical column of phrases): the bag of its lower-case
///   letter-and-digit tokens hashed into <see cref="TextBuckets"/> 0/1 features.</item>
/// </list>
/// </summary>
public sealed record ColumnTransform
{
    public const string CyclicDate = "cyclic";
    public const string TopCategoriesAndOther = "top+other";
    public const string HashedText = "text";
    public const string LogCompressed = "log";

    public required string Name { get; init; }

    public required ColumnKind Kind { get; init; }

    /// <summary>How the kind is encoded when it has more than one way (see above); null: the original encoding.</summary>
    public string? Encoding { get; init; }

    /// <summary>Hash buckets of a text column.</summary>
    public int TextBuckets { get; init; }

    /// <summary>A <c>log</c> numeric column: the smallest training value (it maps to 0).</summary>
    public double LogShift { get; init; }

    /// <summary>A <c>log</c> numeric column: the distance above <see cref="LogShift"/> that maps to ln 2, so the compression does not depend on the column's unit.</summary>
    public double LogUnit { get; init; }

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
        ColumnKind.Date => Encoding == CyclicDate ? 7 : 3,
        ColumnKind.Categorical when Encoding == HashedText => TextBuckets,
        ColumnKind.Categorical => (Categories?.Count ?? 0) + (Encoding == TopCategoriesAndOther ? 1 : 0),
        _ => 0,
    };

    public IEnumerable<string> FeatureNames() => Kind switch
    {
        ColumnKind.Date when Encoding == CyclicDate =>
            [$"{Name}:days", $"{Name}:month-sin", $"{Name}:month-cos", $"{Name}:dayofweek-sin", $"{Name}:dayofweek-cos", $"{Name}:time-sin", $"{Name}:time-cos"],
        ColumnKind.Date => [$"{Name}:days", $"{Name}:month", $"{Name}:dayofweek"],
        ColumnKind.Categorical when Encoding == HashedText => Enumerable.Range(0, TextBuckets).Select(i => $"{Name}#token-bucket-{i}"),
        ColumnKind.Categorical when Encoding == TopCategoriesAndOther => (Categories ?? []).Select(c => $"{Name}={c}").Append($"{Name}=(other)"),
        ColumnKind.Categorical => (Categories ?? []).Select(c => $"{Name}={c}"),
        _ => [Name],
    };
}

/// <summary>z-score parameters of one feature, fitted on the training split (population standard deviation).</summary>
public sealed record FeatureScale(double Mean, double Std)
{
    public float Apply(double value) => (float)((value - Mean) / (Std > 0 ? Std : 1));
}
