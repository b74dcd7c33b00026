using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Text;

namespace Pipeline.Tabular.Schema;

/// <summary>Decides a column's kind from its scan. The rules are documented in docs/INGEST.md.</summary>
public static class ColumnKinds
{
    /// <summary>
    /// Boolean when every value is true/false/yes/no; numeric when at least half the values are numbers (the
    /// others count as missing if they are within <paramref name="nonNumericTolerance"/>, otherwise the file is
    /// rejected naming the first bad value); date when every value is a date; categorical otherwise.
    /// </summary>
    public static ColumnKind Infer(ColumnScan scan, double nonNumericTolerance, string file)
    {
        ArgumentNullException.ThrowIfNull(scan);
        if (scan.Present == 0)
        {
            return ColumnKind.Empty;
        }

        if (scan.Booleans == scan.Present)
        {
            return ColumnKind.Boolean;
        }

        if (scan.Numbers > 0 && scan.Numbers * 2 >= scan.Present)
        {
            var notNumbers = scan.Present - scan.Numbers;
            if (notNumbers > nonNumericTolerance * scan.Present)
            {
                throw new DatasetValidationException(
                    file,
                    $"'{SafeText.Echo(scan.FirstNonNumberValue)}' is not a number, in a numeric column where {notNumbers} of {scan.Present} values are not numbers ({100.0 * notNumbers / scan.Present:0.##}%), more than the tolerance of {100 * nonNumericTolerance:0.##}% (setting Pipeline:Ingest:NonNumericTolerance). Fix or blank these values.",
                    scan.FirstNonNumberLine,
                    scan.Name);
            }

            return ColumnKind.Numeric;
        }

        if (scan.Dates == scan.Present)
        {
            return ColumnKind.Date;
        }

        return ColumnKind.Categorical;
    }
}
