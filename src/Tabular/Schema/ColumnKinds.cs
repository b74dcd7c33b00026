using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Text;

namespace Pipeline.Tabular.Schema;

/// <summary>Decides a column's kind from its scan. The rules are documented in docs/INGEST.md.</summary>
public static class ColumnKinds
{
    /// <summary>
    /// A column of a typed file takes its declared type: numbers are numeric, booleans boolean, dates and timestamps
    /// dates; text is a date when every value is one, and categorical otherwise, never numeric (codes such as "00123"
    /// stay categories). Without a declared type: boolean when every value is true/false/yes/no; numeric when at
    /// least half the values are numbers (the others count as missing if they are within
    /// <paramref name="nonNumericTolerance"/>, otherwise the file is rejected naming the first bad value); date when
    /// every value is a date; categorical otherwise.
    /// </summary>
    public static ColumnKind Infer(ColumnScan scan, double nonNumericTolerance, string file, DeclaredType? declared = null)
    {
        ArgumentNullException.ThrowIfNull(scan);
        if (scan.Present == 0)
        {
            return ColumnKind.Empty;
        }

        switch (declared)
        {
            case DeclaredType.Number:
                return ColumnKind.Numeric;
            case DeclaredType.Boolean:
                return ColumnKind.Boolean;
            case DeclaredType.Date:
                return ColumnKind.Date;
            case DeclaredType.Text:
                return scan.Dates == scan.Present ? ColumnKind.Date : ColumnKind.Categorical;
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
