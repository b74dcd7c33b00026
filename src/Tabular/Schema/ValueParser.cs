using System.Globalization;

namespace Pipeline.Tabular.Schema;

/// <summary>How a raw text value is read, the same way in Ingest, Preprocess and serving.</summary>
public static class ValueParser
{
    /// <summary>Empty, blank, or one of NA, N/A, NaN, null, None, ? (any case).</summary>
    public static bool IsMissing(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (value.IsEmpty)
        {
            return true;
        }

        if (value.Length > 4)
        {
            return false;
        }

        return value.Equals("NA", StringComparison.OrdinalIgnoreCase)
            || value.Equals("N/A", StringComparison.OrdinalIgnoreCase)
            || value.Equals("NaN", StringComparison.OrdinalIgnoreCase)
            || value.Equals("null", StringComparison.OrdinalIgnoreCase)
            || value.Equals("None", StringComparison.OrdinalIgnoreCase)
            || value is "?";
    }

    /// <summary>A finite number in invariant culture ('.' decimal point, optional exponent).</summary>
    public static bool TryNumber(ReadOnlySpan<char> value, out double number) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);

    public static bool TryBoolean(ReadOnlySpan<char> value, out bool result)
    {
        value = value.Trim();
        if (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            result = true;
            return true;
        }

        if (value.Equals("false", StringComparison.OrdinalIgnoreCase) || value.Equals("no", StringComparison.OrdinalIgnoreCase))
        {
            result = false;
            return true;
        }

        result = false;
        return false;
    }

    /// <summary>
    /// Dates written year first (yyyy-MM-dd or yyyy/MM/dd, optionally with a time and offset), read as UTC. Other
    /// orders (dd/MM vs MM/dd) are ambiguous and stay categorical rather than being guessed.
    /// </summary>
    public static bool TryDate(ReadOnlySpan<char> value, out DateTime date)
    {
        value = value.Trim();
        if (value.Length < 8 || !char.IsAsciiDigit(value[0]) || !char.IsAsciiDigit(value[3]) || value[4] is not ('-' or '/'))
        {
            date = default;
            return false;
        }

        return DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out date);
    }

    /// <summary>Days since 1970-01-01 (fractional), the numeric form of a date.</summary>
    public static double ToDays(DateTime date) => (date - DateTime.UnixEpoch).TotalDays;

    public static DateTime FromDays(double days) => DateTime.UnixEpoch.AddDays(days);
}
