using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Contracts;
using Pipeline.Tabular.Schema;
using Pipeline.Tabular.Text;

namespace Pipeline.Tabular.Transforms;

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

    /// <summary>
    /// Regression: the target's mean and standard deviation on the training split. Shards hold the standardised
    /// target, so the network trains on values near 0 whatever the unit (prices in the hundreds of thousands
    /// would otherwise need thousands of Adam steps just to reach the right scale); predictions are turned back
    /// into the original unit with <see cref="DecodeTarget"/>. Null for classification (and in version-1 files
    /// written before it existed, which then mean "not scaled").
    /// </summary>
    public FeatureScale? TargetScale { get; init; }

    /// <summary>The columns kept as features, in feature order. Dropped columns are only in the profile.</summary>
    public required IReadOnlyList<ColumnTransform> Columns { get; init; }

    /// <summary>
    /// The file's columns that cleaning dropped (constant, identifier, mostly missing...), by name: serving ignores them
    /// in a request, since a client sends rows as it has them, while still refusing names the file never had (typos).
    /// Empty in transforms written before it existed.
    /// </summary>
    public IReadOnlyList<string> DroppedColumns { get; init; } = [];

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
            offset += FeatureEncoder.Encode(column, value ?? string.Empty, features.AsSpan(offset));
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
        // A map, not a search per column: a header of many thousand columns would make binding quadratic.
        var positions = new Dictionary<string, int>(header.Count, StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            positions.TryAdd(header[i], i);
        }

        var ordinals = new int[Columns.Count];
        for (var i = 0; i < Columns.Count; i++)
        {
            if (!positions.TryGetValue(Columns[i].Name, out ordinals[i]))
            {
                throw new ArgumentException($"Column '{SafeText.Echo(Columns[i].Name)}' of the transform is not in the header.", nameof(header));
            }
        }

        return new BoundTransform(this, ordinals);
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
            return ValueParser.TryNumber(raw, out var y) ? EncodeTarget(y) : null;
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

    /// <summary>A regression target value as the shards hold it (standardised when <see cref="TargetScale"/> is set).</summary>
    public float EncodeTarget(double value) => TargetScale is { } scale ? scale.Apply(value) : (float)value;

    /// <summary>A regression model output back in the target's original unit.</summary>
    public double DecodeTarget(float output) =>
        TargetScale is { } scale ? (output * (scale.Std > 0 ? scale.Std : 1)) + scale.Mean : output;

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static FittedTransform FromJson(string json) =>
        JsonSerializer.Deserialize<FittedTransform>(json, Json) ?? throw new InvalidDataException("The transform JSON is empty.");
}
