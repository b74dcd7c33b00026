using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Contracts;
using Pipeline.Ingest.Schema;

namespace Pipeline.Preprocess.Transforms;

/// <summary>
/// The transform fitted by Preprocess on the training split, saved as JSON next to the shards
/// (<c>transform.json</c>) so that training, evaluation and serving turn raw values into exactly the same
/// features. Apply it to one raw row (column name → text or JSON value) with <see cref="Apply(IReadOnlyDictionary{string, string?})"/>
/// or <see cref="Apply(JsonElement)"/>; Preprocess uses the allocation-free <see cref="Bind"/> path.
/// </summary>
public sealed record FittedTransform
{
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public int Version { get; init; } = CurrentVersion;

    /// <summary>The target column (never a feature).</summary>
    public required string Target { get; init; }

    public required TaskKind Task { get; init; }

    /// <summary>Classification: the label of each class index (the float target in shards); null for regression.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>The columns kept as features, in feature order. Dropped columns are only in the profile.</summary>
    public required IReadOnlyList<ColumnTransform> Columns { get; init; }

    [JsonIgnore]
    public int FeatureCount => Columns.Sum(c => c.FeatureCount);

    /// <summary>Regression: 1; classification: the number of classes (the model's output width).</summary>
    [JsonIgnore]
    public int Outputs => Task == TaskKind.Classification ? Classes?.Count ?? 0 : 1;

    /// <summary>Name of every feature, in order, e.g. <c>sqft</c>, <c>city=Paris</c>, <c>sold:month</c>.</summary>
    public IReadOnlyList<string> FeatureNames() => Columns.SelectMany(c => c.FeatureNames()).ToList();

    /// <summary>Features of one raw row given as text (absent or null values are missing and imputed).</summary>
    public float[] Apply(IReadOnlyDictionary<string, string?> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var features = new float[FeatureCount];
        var offset = 0;
        foreach (var column in Columns)
        {
            var value = row.TryGetValue(column.Name, out var v) ? v : null;
            offset += Encode(column, value ?? string.Empty, features.AsSpan(offset));
        }

        return features;
    }

    /// <summary>Features of one raw row given as a JSON object (numbers, strings, booleans or null).</summary>
    public float[] Apply(JsonElement row)
    {
        if (row.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("A row must be a JSON object of column name to value.", nameof(row));
        }

        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in row.EnumerateObject())
        {
            values[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
        }

        return Apply(values);
    }

    /// <summary>Binds the columns to positions in a header, for applying to many rows without lookups.</summary>
    public BoundTransform Bind(IReadOnlyList<string> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var ordinals = new int[Columns.Count];
        for (var i = 0; i < Columns.Count; i++)
        {
            ordinals[i] = IndexOf(header, Columns[i].Name);
            if (ordinals[i] < 0)
            {
                throw new ArgumentException($"Column '{Columns[i].Name}' of the transform is not in the header.", nameof(header));
            }
        }

        return new BoundTransform(this, ordinals);
    }

    /// <summary>Writes the column's features into <paramref name="output"/>; returns how many.</summary>
    internal static int Encode(ColumnTransform column, ReadOnlySpan<char> raw, Span<float> output)
    {
        switch (column.Kind)
        {
            case ColumnKind.Numeric:
                var x = ValueParser.TryNumber(raw, out var n) ? n : column.Impute;
                output[0] = column.Scales![0].Apply(x);
                return 1;
            case ColumnKind.Boolean:
                output[0] = ValueParser.TryBoolean(raw, out var b) ? (b ? 1f : 0f) : (float)column.Impute;
                return 1;
            case ColumnKind.Date:
                var date = ValueParser.TryDate(raw, out var d) ? d : ValueParser.FromDays(column.Impute);
                var scales = column.Scales!;
                output[0] = scales[0].Apply(ValueParser.ToDays(date));
                output[1] = scales[1].Apply(date.Month);
                output[2] = scales[2].Apply((int)date.DayOfWeek);
                return 3;
            case ColumnKind.Categorical:
                var categories = column.Categories!;
                var value = raw.Trim();
                if (ValueParser.IsMissing(value))
                {
                    value = column.ImputeCategory.AsSpan();
                }

                for (var i = 0; i < categories.Count; i++)
                {
                    output[i] = value.SequenceEqual(categories[i]) ? 1f : 0f;
                }

                return categories.Count;
            default:
                return 0;
        }
    }

    /// <summary>Regression: the number; classification: the class index. Null when the target is missing or unknown.</summary>
    public float? EncodeTarget(ReadOnlySpan<char> raw)
    {
        if (ValueParser.IsMissing(raw))
        {
            return null;
        }

        if (Task != TaskKind.Classification)
        {
            return ValueParser.TryNumber(raw, out var y) ? (float)y : null;
        }

        var value = raw.Trim();
        var classes = Classes!;
        for (var i = 0; i < classes.Count; i++)
        {
            if (value.SequenceEqual(classes[i]))
            {
                return i;
            }
        }

        return null;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static FittedTransform FromJson(string json) =>
        JsonSerializer.Deserialize<FittedTransform>(json, Json) ?? throw new InvalidDataException("The transform JSON is empty.");

    private static int IndexOf(IReadOnlyList<string> header, string name)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (string.Equals(header[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
