using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Text;

namespace Pipeline.Tabular.Schema;

/// <summary>
/// What Ingest learned about a data file's content, stored once next to it (<c>{datasetId}/schema.json</c> in the
/// datasets bucket) so that every later stage reads the column kinds instead of inferring them again. The content
/// is a function of the bytes and the validation settings, so a data set registered twice writes the same file.
/// </summary>
public sealed record DatasetSchema
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public required IReadOnlyList<ColumnSummary> Columns { get; init; }

    public required long Rows { get; init; }

    public required char Separator { get; init; }

    public required bool Compressed { get; init; }

    /// <summary>The line limit the file was validated with; later readers apply the same one.</summary>
    public required int MaxLineBytes { get; init; }

    /// <summary>The object key of a data set's schema in the datasets bucket.</summary>
    public static string KeyFor(string datasetId) => $"{datasetId}/schema.json";

    public static DatasetSchema From(DatasetScan scan, CsvLimits limits)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(limits);
        return new DatasetSchema
        {
            Columns = scan.Columns,
            Rows = scan.Rows,
            Separator = scan.Separator,
            Compressed = scan.Compressed,
            MaxLineBytes = limits.MaxLineBytes,
        };
    }

    /// <summary>Limits to read the already validated file with again: the same record limit, no size, column or row limit.</summary>
    [JsonIgnore]
    public CsvLimits ReadLimits => new CsvLimits { MaxLineBytes = MaxLineBytes }.WithoutSizeLimits();

    public ColumnSummary Column(string name) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal))
        ?? throw new DatasetValidationException("schema.json", $"the column '{SafeText.Echo(name)}' is not in the data set's schema; the columns are: {SafeText.Echo(string.Join(", ", Columns.Select(c => c.Name)))}.");

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DatasetSchema FromJson(string json) =>
        JsonSerializer.Deserialize<DatasetSchema>(json, Json) ?? throw new InvalidDataException("The schema JSON is empty.");
}
