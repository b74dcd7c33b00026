using System.Globalization;

namespace Pipeline.Tabular.Parquet;

/// <summary>
/// One column of the row group being read, in its Parquet type. Numbers are handed over as numbers (no text round
/// trip); every value also has the text a CSV file would hold, for the rules that look at text (distinct values,
/// categories, dates).
/// </summary>
internal abstract class ParquetColumn
{
    /// <summary>Reused for the text of numbers and dates: valid until the next call for this column.</summary>
    private readonly char[] _scratch = new char[64];

    public abstract ReadOnlySpan<char> Text(int row);

    public virtual bool TryNumber(int row, out double value)
    {
        value = 0;
        return false;
    }

    protected ReadOnlySpan<char> Format<T>(T value, ReadOnlySpan<char> format)
        where T : ISpanFormattable =>
        value.TryFormat(_scratch, out var written, format, CultureInfo.InvariantCulture) ? _scratch.AsSpan(0, written) : value.ToString(null, CultureInfo.InvariantCulture);
}

/// <summary>Integers of any width, exact in their text (64-bit codes stay whole).</summary>
internal sealed class IntegerColumn(long?[] values) : ParquetColumn
{
    public override ReadOnlySpan<char> Text(int row) => values[row] is { } v ? Format(v, default) : default;

    public override bool TryNumber(int row, out double value)
    {
        value = values[row] ?? 0;
        return values[row].HasValue;
    }
}

/// <summary>Floating-point and decimal values; NaN and infinities are missing, as in a CSV file.</summary>
internal sealed class RealColumn(double?[] values) : ParquetColumn
{
    public override ReadOnlySpan<char> Text(int row) => values[row] is { } v && double.IsFinite(v) ? Format(v, "R") : default;

    public override bool TryNumber(int row, out double value)
    {
        value = values[row] ?? double.NaN;
        return double.IsFinite(value);
    }
}

internal sealed class BooleanColumn(bool?[] values) : ParquetColumn
{
    public override ReadOnlySpan<char> Text(int row) => values[row] switch
    {
        true => "true",
        false => "false",
        null => default,
    };
}

/// <summary>Dates and timestamps (UTC), written year first so they are read as dates; a DATE column has no time part.</summary>
internal sealed class DateColumn(DateTime?[] values, bool dateOnly) : ParquetColumn
{
    public override ReadOnlySpan<char> Text(int row) => values[row] is { } v
        ? Format(v, dateOnly ? "yyyy-MM-dd" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'")
        : default;
}

internal sealed class TextColumn(string?[] values) : ParquetColumn
{
    public override ReadOnlySpan<char> Text(int row) => values[row];
}
