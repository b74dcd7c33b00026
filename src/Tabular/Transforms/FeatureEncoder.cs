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
/// <item><b>raw features</b> (<see cref="WriteRaw"/>): numeric → the number; boolean → 0/1; date → days since 1970
///   and the sine and cosine of month, day of week and time of day (<see cref="DateParts"/>; the original encoding:
///   days, month 1-12, day of week 0 = Sunday); categorical → one 0/1 per known category, plus "other" for any other
///   value where the column keeps only its most frequent ones; text → one 0/1 per token hash bucket
///   (<see cref="MarkTokenBuckets"/>). A missing value gives NaN in every raw feature of the column.</item>
/// <item><b>imputation and scaling</b> (<see cref="Scale"/>): NaN → the feature's imputed value
///   (<see cref="ImputeOf"/>), for a <c>log</c> numeric column the compression (<see cref="Compress"/>), then
///   (x − mean) / std with the feature's fitted scale (0 and 1 when unscaled).</item>
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
                DateParts(column, value.Date, raw);
                return true;
            case ColumnKind.Categorical when column.Encoding == ColumnTransform.HashedText:
                raw[..column.TextBuckets].Clear();
                MarkTokenBuckets(value.Text, raw[..column.TextBuckets]);
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

                if (column.Encoding == ColumnTransform.TopCategoriesAndOther)
                {
                    // Only the most frequent categories have a feature of their own; every other value, seen in
                    // training or not, is "other". Not a warning: this is how the column is encoded.
                    raw[categories.Count] = found ? 0 : 1;
                    return true;
                }

                return found;
            default:
                return true;
        }
    }

    /// <summary>Imputes NaN raw features, compresses a <c>log</c> column and applies each feature's z-score.</summary>
    public static void Scale(ColumnTransform column, ReadOnlySpan<double> raw, Span<float> features)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (column.Kind == ColumnKind.Numeric)
        {
            features[0] = Number(column, double.IsNaN(raw[0]) ? column.Impute : raw[0]);
            return;
        }

        var scales = column.Scales;
        for (var i = 0; i < raw.Length; i++)
        {
            var x = double.IsNaN(raw[i]) ? ImputeOf(column, i) : raw[i];
            features[i] = scales is null ? (float)x : scales[i].Apply(x);
        }
    }

    /// <summary>A numeric column's feature from a present (or already imputed) number: compressed when <c>log</c>, then its z-score.</summary>
    public static float Number(ColumnTransform column, double value)
    {
        ArgumentNullException.ThrowIfNull(column);
        var x = column.Encoding == ColumnTransform.LogCompressed ? Compress(column, value) : value;
        return column.Scales is { } scales ? scales[0].Apply(x) : (float)x;
    }

    /// <summary>
    /// ln(1 + max(x − shift, 0) / unit): a long right tail (a few prices in the millions among thousands) pulled in so the
    /// network sees the bulk of the values spread out and the gap between none and a little (dry and drizzly days)
    /// as clearly as the large values. Monotone, so order-based learners (the FastTree baseline) are unaffected.
    /// The ONNX graph computes it with the same operations in this order.
    /// </summary>
    public static double Compress(ColumnTransform column, double value)
    {
        ArgumentNullException.ThrowIfNull(column);
        return Math.Log((Math.Max(value - column.LogShift, 0) / column.LogUnit) + 1);
    }

    /// <summary>The raw value feature <paramref name="index"/> of the column takes when the value is missing.</summary>
    public static double ImputeOf(ColumnTransform column, int index)
    {
        ArgumentNullException.ThrowIfNull(column);
        switch (column.Kind)
        {
            case ColumnKind.Date:
                Span<double> parts = stackalloc double[column.FeatureCount];
                DateParts(column, ValueParser.FromDays(column.Impute), parts);
                return parts[index];
            case ColumnKind.Categorical when column.Encoding == ColumnTransform.HashedText:
                return 0; // a missing text has no tokens
            case ColumnKind.Categorical:
                return index < column.Categories!.Count && string.Equals(column.Categories[index], column.ImputeCategory, StringComparison.Ordinal) ? 1 : 0;
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

    /// <summary>
    /// A date's raw features: days since 1970, then (cyclic encoding) sine and cosine of the month, the day of the
    /// week and the time of day, so December is next to January and 23:59 next to 00:00; the original encoding has
    /// days, month (1-12) and day of week (0 = Sunday). Preprocess fits its scales on these same numbers.
    /// </summary>
    public static void DateParts(ColumnTransform column, DateTime date, Span<double> raw)
    {
        ArgumentNullException.ThrowIfNull(column);
        raw[0] = ValueParser.ToDays(date);
        if (column.Encoding != ColumnTransform.CyclicDate)
        {
            raw[1] = date.Month;
            raw[2] = (int)date.DayOfWeek;
            return;
        }

        Cycle(date.Month - 1, 12, raw[1..]);
        Cycle((int)date.DayOfWeek, 7, raw[3..]);
        Cycle(date.TimeOfDay.TotalHours, 24, raw[5..]);
    }

    /// <summary>
    /// Sets to 1 the hash bucket of each of a text's tokens (maximal runs of letters and digits, lower-cased; FNV-1a of
    /// the characters modulo the bucket count, so the buckets are the same in every process and language that follows
    /// this rule).
    /// </summary>
    public static void MarkTokenBuckets(ReadOnlySpan<char> text, Span<double> buckets)
    {
        uint hash = 2166136261;
        var inToken = false;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                hash = (hash ^ char.ToLowerInvariant(c)) * 16777619;
                inToken = true;
            }
            else if (inToken)
            {
                buckets[(int)(hash % (uint)buckets.Length)] = 1;
                hash = 2166136261;
                inToken = false;
            }
        }

        if (inToken)
        {
            buckets[(int)(hash % (uint)buckets.Length)] = 1;
        }
    }

    private static void Cycle(double value, double period, Span<double> raw)
    {
        var angle = 2 * Math.PI * value / period;
        raw[0] = Math.Sin(angle);
        raw[1] = Math.Cos(angle);
    }
}
