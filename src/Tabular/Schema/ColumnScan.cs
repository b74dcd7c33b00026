using Pipeline.Tabular.Text;

namespace Pipeline.Tabular.Schema;

/// <summary>
/// What one pass over a column learns about it, over all rows: how many values are missing, numbers, booleans or
/// dates, a bounded set of distinct values, and the first value that is not a number (for error messages).
/// Memory is bounded: distinct values are tracked up to <see cref="DistinctCap"/>.
/// </summary>
public sealed class ColumnScan
{
    private readonly HashSet<string> _distinct = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private double _last = double.NegativeInfinity;

    public ColumnScan(string name, int distinctCap)
    {
        Name = name;
        DistinctCap = distinctCap;
        _lookup = _distinct.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Name { get; }

    public int DistinctCap { get; }

    public long Missing { get; private set; }

    public long Present { get; private set; }

    public long Numbers { get; private set; }

    public long Booleans { get; private set; }

    public long Dates { get; private set; }

    /// <summary>Every number seen is a whole number.</summary>
    public bool AllIntegers { get; private set; } = true;

    /// <summary>No value is missing and every value is a number larger than the one before (a row id).</summary>
    public bool StrictlyIncreasingNumbers { get; private set; } = true;

    /// <summary>Some value occurred twice among those tracked (before the cap was reached).</summary>
    public bool HasRepeats { get; private set; }

    /// <summary>More than <see cref="DistinctCap"/> distinct values: <see cref="Distinct"/> holds only the first ones.</summary>
    public bool DistinctOverflow { get; private set; }

    public IReadOnlyCollection<string> Distinct => _distinct;

    public long? FirstNonNumberLine { get; private set; }

    public string? FirstNonNumberValue { get; private set; }

    /// <summary>
    /// Counts the value and says what it is; <paramref name="number"/> is then the number, 1/0 for a boolean, or
    /// the days since 1970 for a date, so callers fitting statistics do not parse it again.
    /// </summary>
    public ValueClass Add(ReadOnlySpan<char> raw, long line, out double number)
    {
        if (ValueParser.IsMissing(raw))
        {
            Missing++;
            StrictlyIncreasingNumbers = false;
            number = 0;
            return ValueClass.Missing;
        }

        var value = raw.Trim();
        if (ValueParser.TryNumber(value, out number))
        {
            return AddNumber(value, number);
        }

        Present++;
        ValueClass result;
        StrictlyIncreasingNumbers = false;
        if (FirstNonNumberLine is null)
        {
            FirstNonNumberLine = line;
            FirstNonNumberValue = SafeText.Echo(value, 40);
        }

        if (ValueParser.TryBoolean(value, out var flag))
        {
            Booleans++;
            number = flag ? 1 : 0;
            result = ValueClass.Boolean;
        }
        else if (ValueParser.TryDate(value, out var date))
        {
            Dates++;
            number = ValueParser.ToDays(date);
            result = ValueClass.Date;
        }
        else
        {
            result = ValueClass.Text;
        }

        Track(value);
        return result;
    }

    /// <summary>Counts field <paramref name="column"/> of the row, numbers parsed by the fast path.</summary>
    public ValueClass Add(Csv.CsvRow row, int column, long line, out double number)
    {
        var raw = row[column];
        return row.TryNumber(column, out number) ? AddNumber(raw, number) : Add(raw, line, out number);
    }

    private ValueClass AddNumber(ReadOnlySpan<char> value, double number)
    {
        Present++;
        Numbers++;
        if (number != Math.Floor(number))
        {
            AllIntegers = false;
        }

        if (!(number > _last))
        {
            StrictlyIncreasingNumbers = false;
        }

        _last = number;
        Track(value);
        return ValueClass.Number;
    }

    private void Track(ReadOnlySpan<char> value)
    {
        if (DistinctOverflow)
        {
            return;
        }

        if (_lookup.Contains(value))
        {
            HasRepeats = true;
        }
        else if (_distinct.Count >= DistinctCap)
        {
            DistinctOverflow = true;
        }
        else
        {
            _lookup.Add(value);
        }
    }

    /// <summary>Counts the value (see the other overload).</summary>
    public void Add(ReadOnlySpan<char> raw, long line) => Add(raw, line, out _);
}

/// <summary>What a single raw value reads as.</summary>
public enum ValueClass
{
    Missing,
    Number,
    Boolean,
    Date,
    Text,
}
