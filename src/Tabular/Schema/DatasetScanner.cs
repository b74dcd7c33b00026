using Pipeline.Contracts;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Naming;
using Pipeline.Tabular.Planning;
using Pipeline.Tabular.Text;

namespace Pipeline.Tabular.Schema;

/// <summary>Options of the validation pass.</summary>
public sealed record ScanOptions
{
    /// <summary>Share of values in a numeric column that may be non-numeric (they become missing). <c>Pipeline:Ingest:NonNumericTolerance</c>.</summary>
    public double NonNumericTolerance { get; init; } = 0.01;

    /// <summary>Most distinct target values for classification. <c>Pipeline:Ingest:MaxClasses</c>.</summary>
    public int MaxClasses { get; init; } = 1000;

    /// <summary>A numeric target with whole values and at most this many distinct values is read as classes when the task is auto.</summary>
    public int MaxAutoClasses { get; init; } = 20;
}

/// <summary>The schema and size of a valid data file, and the job spec with its defaults resolved.</summary>
public sealed record DatasetScan
{
    public required IReadOnlyList<ColumnSummary> Columns { get; init; }
    public required long Rows { get; init; }
    public required JobSpec ResolvedSpec { get; init; }
    public required char Separator { get; init; }
    public required bool Compressed { get; init; }

    public DataFileFormat Format { get; init; } = DataFileFormat.Csv;

    /// <summary>Uncompressed bytes.</summary>
    public required long Bytes { get; init; }
}

/// <summary>One column as Ingest sees it.</summary>
public sealed record ColumnSummary(string Name, ColumnKind Kind, long Missing, int Distinct, bool DistinctOverflow);

/// <summary>
/// The Ingest validation pass: reads every row once (streaming) and applies every rule, throwing
/// <see cref="DatasetValidationException"/> with file, line and column for the first one broken.
/// </summary>
public static class DatasetScanner
{
    public static DatasetScan Scan(CsvSource source, JobSpec spec, ScanOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var file = source.File;
        var names = source.Columns;
        var target = ResolveTarget(source, spec);
        var targetIndex = IndexOf(names, target);
        var scans = new ColumnScan[names.Count];
        for (var i = 0; i < scans.Length; i++)
        {
            scans[i] = new ColumnScan(names[i], i == targetIndex ? options.MaxClasses : 1000);
        }

        long rows = 0;
        while (source.MoveNext())
        {
            var row = source.Current;
            var line = row.Line;
            for (var i = 0; i < scans.Length; i++)
            {
                scans[i].Add(row, i, line, out _);
            }

            rows++;
        }

        if (rows == 0)
        {
            throw new DatasetValidationException(file, "the file has a header but no data rows.");
        }

        var summaries = new ColumnSummary[scans.Length];
        for (var i = 0; i < scans.Length; i++)
        {
            var s = scans[i];
            summaries[i] = new ColumnSummary(s.Name, ColumnKinds.Infer(s, options.NonNumericTolerance, file, source.DeclaredType(i)), s.Missing, s.Distinct.Count, s.DistinctOverflow);
        }

        var task = ResolveTask(file, scans[targetIndex], summaries[targetIndex].Kind, spec.Task, options);
        var (training, plan) = TrainingPlanner.Resolve(spec.Training, rows);
        var resolved = spec with
        {
            Target = target,
            Task = task,
            ModelName = string.IsNullOrWhiteSpace(spec.ModelName) ? ModelNames.FromKey(file) : spec.ModelName,
            Training = training,
            Plan = plan,
        };
        return new DatasetScan
        {
            Columns = summaries,
            Rows = rows,
            ResolvedSpec = resolved,
            Separator = source.Separator,
            Compressed = source.Compressed,
            Format = source.Format,
            Bytes = source.BytesRead,
        };
    }

    private static string ResolveTarget(CsvSource source, JobSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Target))
        {
            return source.Columns[^1];
        }

        var target = spec.Target.Trim();
        if (IndexOf(source.Columns, target) < 0)
        {
            throw new DatasetValidationException(source.File, $"the target column '{SafeText.Echo(target)}' is not in the header; the columns are: {SafeText.Echo(string.Join(", ", source.Columns))}.", line: 1);
        }

        return target;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static TaskKind ResolveTask(string file, ColumnScan target, ColumnKind kind, TaskKind requested, ScanOptions options)
    {
        if (kind == ColumnKind.Empty)
        {
            throw new DatasetValidationException(file, "the target column has no values.", column: target.Name);
        }

        if (target.Distinct.Count == 1 && !target.DistinctOverflow)
        {
            throw new DatasetValidationException(file, $"the target column has the single value '{SafeText.Echo(target.Distinct.First())}' in every row; there is nothing to learn.", column: target.Name);
        }

        if (kind == ColumnKind.Date)
        {
            throw new DatasetValidationException(file, "the target column holds dates; predict a number (regression) or a class (classification) instead.", column: target.Name);
        }

        var task = requested;
        if (task == TaskKind.Auto)
        {
            task = kind is ColumnKind.Boolean or ColumnKind.Categorical
                || (kind == ColumnKind.Numeric && target.AllIntegers && !target.DistinctOverflow && target.Distinct.Count <= options.MaxAutoClasses)
                ? TaskKind.Classification
                : TaskKind.Regression;
        }

        if (task == TaskKind.Regression && kind != ColumnKind.Numeric)
        {
            throw new DatasetValidationException(file, $"the task is regression but the target is not numeric: '{SafeText.Echo(target.FirstNonNumberValue)}' is not a number.", target.FirstNonNumberLine, target.Name);
        }

        if (task == TaskKind.Classification && target.DistinctOverflow)
        {
            throw new DatasetValidationException(file, $"the task is classification but the target has more than {options.MaxClasses} distinct values (setting Pipeline:Ingest:MaxClasses); use task regression for a continuous target.", column: target.Name);
        }

        return task;
    }
}
