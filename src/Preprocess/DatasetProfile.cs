using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Contracts;
using Pipeline.Tabular.Schema;

namespace Pipeline.Preprocess;

/// <summary>
/// What Preprocess did to a data set, saved as <c>profile.json</c> next to the shards: rows per split, rows
/// dropped, and for every column whether it was kept or dropped (and why) and how many values were imputed.
/// </summary>
public sealed record DatasetProfile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public required string Source { get; init; }
    public required string Target { get; init; }
    public required TaskKind Task { get; init; }
    public required long Rows { get; init; }

    /// <summary>Rows dropped because the target is missing (or, for regression, not a number).</summary>
    public required long RowsDroppedMissingTarget { get; init; }
    public required long TrainRows { get; init; }
    public required long ValidationRows { get; init; }
    public required long TestRows { get; init; }
    public required IReadOnlyList<long> ShardRows { get; init; }
    public IReadOnlyList<string>? Classes { get; init; }
    public required int Features { get; init; }
    public required string Imputation { get; init; }
    public required int Seed { get; init; }
    public required IReadOnlyList<ColumnReport> Columns { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DatasetProfile FromJson(string json) =>
        JsonSerializer.Deserialize<DatasetProfile>(json, Json) ?? throw new InvalidDataException("The profile JSON is empty.");
}

/// <summary>The decision taken for one column.</summary>
public sealed record ColumnReport
{
    public required string Name { get; init; }
    public required ColumnKind Kind { get; init; }

    /// <summary>kept, dropped or target.</summary>
    public required string Decision { get; init; }
    public string? Reason { get; init; }

    /// <summary>Missing values over all rows.</summary>
    public long Missing { get; init; }

    /// <summary>Values replaced by the imputation in the rows kept (missing, or unreadable within the tolerance).</summary>
    public long Imputed { get; init; }
    public string? ImputedWith { get; init; }
    public int Features { get; init; }
    public int? Categories { get; init; }
}
