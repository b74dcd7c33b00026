using Pipeline.Tabular.Schema;

namespace Pipeline.Tabular.Transforms;

/// <summary>
/// One column's value after reading, before encoding: missing, a number (booleans as 0/1), a date or a category.
/// Readers differ (lenient CSV text in training, strict JSON in serving); everything after this is one code path.
/// </summary>
public readonly ref struct ColumnValue
{
    public bool IsMissing { get; private init; }

    public double Number { get; private init; }

    public DateTime Date { get; private init; }

    public ReadOnlySpan<char> Text { get; private init; }

    public static ColumnValue Missing => new() { IsMissing = true };

    public static ColumnValue Of(double number) => new() { Number = number };

    public static ColumnValue Of(DateTime date) => new() { Date = date };

    public static ColumnValue Of(ReadOnlySpan<char> category) => new() { Text = category };
}

/// <summary>
/// The one encoder: how a column value becomes model features, used by preprocessing (shards), serving (JSON rows)
/// and the ONNX export (<see cref="RawFeatureLayout"/>). Encoding has two steps, and the ONNX model takes the
/// features between them:
/// <list type="number">
/// <item><b>raw features</b> (<see cref="WriteRaw"/>): numeric → the number; boolean → 0/1; date → days since 1970,
///   month (1-12), day of week (0 = Sunday); categorical → one 0/1 per known category (all zeros for an unknown
///   one). A missing value gives NaN in every raw feature of the column.</item>
/// <item><b>imputation and scaling</b> (<see cref="Scale"/>): NaN → the feature's imputed value
///   (<see cref="ImputeOf"/>), then (x − mean) / std with the feature's fitted scale (0 and 1 when unscaled).</item>
/// </list>
/// </summary>
public static class FeatureEncoder
{
    /// <summary>Reads text the lenient way training does: anything unreadable counts as missing.</summary>
    public static ColumnValue Parse(ColumnTransform column, ReadOnlySpan<char> text)
    {
        ArgumentNullException.ThrowIfNull(column);
        switch (column.Kind)
        {
            case ColumnKind.Numeric:
                return ValueParser.TryNumber(text, out var n) ? ColumnValue.Of(n) : ColumnValue.Missing;
            case ColumnKind.Boolean:
                return ValueParser.TryBoolean(text, out var b) ? ColumnValue.Of(b ? 1 : 0) : ColumnValue.Missing;
            case ColumnKind.Date:
                return ValueParser.TryDate(text, out var d) ? ColumnValue.Of(d) : ColumnValue.Missing;
            case ColumnKind.Categorical:
                var trimmed = text.Trim();
                return ValueParser.IsMissing(trimmed) ? ColumnValue.Missing : ColumnValue.Of(trimmed);
            default:
                return ColumnValue.Missing;
        }
    }

    /// <summary>Text to model features: <see cref="Parse"/>, <see cref="WriteRaw"/>, <see cref="Scale"/>. Returns the feature count.</summary>
    public static int Encode(ColumnTransform column, ReadOnlySpan<char> text, Span<float> features)
    {
        Encode(column, Parse(column, text), features);
        return column.FeatureCount;
    }

    /// <summary>A read value to model features; false when a category was not seen in training (encoded as all zeros).</summary>
    public static bool Encode(ColumnTransform column, ColumnValue value, Span<float> features)
    {
        ArgumentNullException.ThrowIfNull(column);
        var count = column.FeatureCount;
        Span<double> raw = count <= 64 ? stackalloc double[count] : new double[count];
        var known = WriteRaw(column, value, raw);
        Scale(column, raw, features[..count]);
        return known;
    }

    /// <summary>Writes the column's raw features (NaN when missing); false when a category is unknown.</summary>
    public static bool WriteRaw(ColumnTransform column, ColumnValue value, Span<double> raw)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (value.IsMissing)
        {
            raw[..column.FeatureCount].Fill(double.NaN);
            return true;
        }

        switch (column.Kind)
        {
            case ColumnKind.Numeric or ColumnKind.Boolean:
                raw[0] = value.Number;
                return true;
            case ColumnKind.Date:
                DateParts(value.Date, raw);
                return true;
            case ColumnKind.Categorical:
                var categories = column.Categories!;
                var found = false;
                for (var i = 0; i < categories.Count; i++)
                {
                    var hit = value.Text.SequenceEqual(categories[i]);
                    raw[i] = hit ? 1 : 0;
                    found |= hit;
                }

                return found;
            default:
                return true;
        }
    }

    /// <summary>Imputes NaN raw features and applies each feature's z-score.</summary>
    public static void Scale(ColumnTransform column, ReadOnlySpan<double> raw, Span<float> features)
    {
        ArgumentNullException.ThrowIfNull(column);
        var scales = column.Scales;
        for (var i = 0; i < raw.Length; i++)
        {
            var x = double.IsNaN(raw[i]) ? ImputeOf(column, i) : raw[i];
            features[i] = scales is null ? (float)x : scales[i].Apply(x);
        }
    }

    /// <summary>The raw value feature <paramref name="index"/> of the column takes when the value is missing.</summary>
    public static double ImputeOf(ColumnTransform column, int index)
    {
        ArgumentNullException.ThrowIfNull(column);
        switch (column.Kind)
        {
            case ColumnKind.Date:
                Span<double> parts = stackalloc double[DatePartCount];
                DateParts(ValueParser.FromDays(column.Impute), parts);
                return parts[index];
            case ColumnKind.Categorical:
                return string.Equals(column.Categories![index], column.ImputeCategory, StringComparison.Ordinal) ? 1 : 0;
            default:
                return column.Impute;
        }
    }

    /// <summary>Mean and standard deviation of feature <paramref name="index"/> (0 and 1 when the column is not scaled).</summary>
    public static FeatureScale ScaleOf(ColumnTransform column, int index)
    {
        ArgumentNullException.ThrowIfNull(column);
        return column.Scales is { } scales ? scales[index] : new FeatureScale(0, 1);
    }

    internal const int DatePartCount = 3;

    private static void DateParts(DateTime date, Span<double> raw)
    {
        raw[0] = ValueParser.ToDays(date);
        raw[1] = date.Month;
        raw[2] = (int)date.DayOfWeek;
    }
}
