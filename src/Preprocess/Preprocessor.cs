using Pipeline.Contracts;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Schema;
using Pipeline.Tabular.Shards;
using Pipeline.Preprocess.Fitting;
using Pipeline.Tabular.Transforms;
using Pipeline.Tabular.Text;

namespace Pipeline.Preprocess;

/// <summary>The files one preprocessing run wrote into its output folder.</summary>
public sealed record PreprocessResult
{
    public required FittedTransform Transform { get; init; }
    public required DatasetProfile Profile { get; init; }
    public required IReadOnlyList<string> ShardPaths { get; init; }
    public required string ValidationPath { get; init; }
    public required string TestPath { get; init; }
    public required string TransformPath { get; init; }
    public required string ProfilePath { get; init; }
}

/// <summary>
/// Turns a validated CSV file into shards in two streaming passes over the local file, so memory does not grow
/// with the file: (1) infer column kinds over all rows and fit imputation, encoding and z-scores on the
/// training split only; (2) apply the fitted transform to every row and write the training split round-robin into
/// K shards (balanced to one row) plus the validation and test splits. Rows whose target is missing are dropped
/// and counted. Column kinds come from the <see cref="DatasetSchema"/> Ingest stored with the data set: they are not
/// inferred again. Problems with the data throw <see cref="DatasetValidationException"/>.
/// </summary>
public sealed class Preprocessor(PreprocessOptions options, DatasetSchema schema)
{
    private readonly CsvLimits limits = schema.ReadLimits;

    public PreprocessResult Run(string inputPath, string displayName, JobSpec spec, string outputFolder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Directory.CreateDirectory(outputFolder);
        var fit = Fit(inputPath, displayName, spec, cancellationToken);
        CheckShardsLoadable(displayName, spec.Training.Shards, fit.Transform.FeatureCount, fit.SplitRows);
        return Write(inputPath, displayName, spec, fit, outputFolder, cancellationToken);
    }

    /// <summary>
    /// A worker loads its shard whole (<see cref="ShardFile.MaxLoadedFeatureBytes"/>): refused here, before gigabytes
    /// are written, rather than by every worker after, with what to change.
    /// </summary>
    internal static void CheckShardsLoadable(string file, int shards, int features, long[] splitRows)
    {
        var train = splitRows[(int)Split.Train];
        var needed = ShardFile.MinShardsFor(train, features);
        if (needed > shards)
        {
            var perShard = (train + shards - 1) / shards;
            throw new DatasetValidationException(file, Invariant(
                $"{train:N0} training rows encode to {features:N0} features: {shards} shard(s) of {perShard:N0} rows would hold {GiB(perShard, features)} GiB each, more than the {GiB(ShardFile.MaxLoadedFeatureBytes)} GiB a worker loads at once. Train on at least {needed} shards (setting shards, `--workers {needed}`) or keep fewer categories per column (setting Pipeline:Preprocess:MaxCategories)."));
        }

        foreach (var (split, setting) in new[] { (Split.Validation, "ValidationFraction"), (Split.Test, "TestFraction") })
        {
            var rows = splitRows[(int)split];
            if (ShardFile.MinShardsFor(rows, features) > 1)
            {
                throw new DatasetValidationException(file, Invariant(
                    $"the {split.ToString().ToLowerInvariant()} split, {rows:N0} rows of {features:N0} features, would hold {GiB(rows, features)} GiB, more than the {GiB(ShardFile.MaxLoadedFeatureBytes)} GiB read at once; keep fewer categories per column (setting Pipeline:Preprocess:MaxCategories) or a smaller share (setting Pipeline:Preprocess:{setting})."));
            }
        }

        static string GiB(long rowsOrBytes, int? features = null) =>
            ((features is { } f ? rowsOrBytes * f * 4.0 : rowsOrBytes) / (1L << 30)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

        static string Invariant(FormattableString text) => FormattableString.Invariant(text);
    }

    private sealed record FitResult(FittedTransform Transform, List<ColumnReport> Reports, long Rows, long Dropped, long[] SplitRows);

    private FitResult Fit(string inputPath, string file, JobSpec spec, CancellationToken cancellationToken)
    {
        using var source = CsvSource.OpenFile(inputPath, limits, file);
        var targetName = spec.Target ?? source.Columns[^1];
        var targetIndex = IndexOfTarget(source, targetName);
        var seed = spec.Training.Seed;
        var fits = new List<ColumnFit>();
        for (var i = 0; i < source.Columns.Count; i++)
        {
            if (i != targetIndex)
            {
                fits.Add(new ColumnFit(source.Columns[i], i, options.MaxCategories, seed));
            }
        }

        // Ingest checked the target's class count against its limit; the distinct values seen there bound this scan.
        var targetScan = new ColumnScan(targetName, Math.Max(1, schema.Column(targetName).Distinct));
        var task = spec.Task;
        var assigner = new SplitAssigner(seed, options.ValidationFraction, options.TestFraction);
        var splitRows = new long[3];
        long rows = 0, dropped = 0;
        var targetStats = default(RunningStats);
        while (source.MoveNext())
        {
            // Every row: a row of a wide file is itself a lot of work, and a cancelled job must stop within seconds.
            cancellationToken.ThrowIfCancellationRequested();
            var row = source.Current;
            var line = row.Line;
            rows++;
            var raw = row[targetIndex];
            var targetClass = targetScan.Add(row, targetIndex, line, out _);
            var usable = task == TaskKind.Classification ? targetClass != ValueClass.Missing : targetClass == ValueClass.Number;
            if (!usable)
            {
                dropped++;
                foreach (var f in fits)
                {
                    f.AddDropped(row, line);
                }

                continue;
            }

            var split = assigner.Next(task == TaskKind.Classification ? raw.Trim() : []);
            splitRows[(int)split]++;
            var train = split == Split.Train;
            if (train && task != TaskKind.Classification && row.TryNumber(targetIndex, out var targetValue))
            {
                targetStats.Add(targetValue);
            }
            foreach (var f in fits)
            {
                f.Add(row, line, train);
            }
        }

        if (rows == 0)
        {
            throw new DatasetValidationException(file, "the file has a header but no data rows.");
        }

        if (splitRows[(int)Split.Train] < spec.Training.Shards)
        {
            throw new DatasetValidationException(file, $"only {splitRows[(int)Split.Train]} rows are left for training ({rows} rows, {dropped} without a target), fewer than the {spec.Training.Shards} shards asked for.");
        }

        IReadOnlyList<string>? classes = null;
        if (task == TaskKind.Classification)
        {
            if (targetScan.DistinctOverflow)
            {
                throw new DatasetValidationException(file, $"the target has more classes than the {schema.Column(targetName).Distinct} Ingest counted; the file changed after validation.", column: targetName);
            }

            classes = targetScan.Distinct.All(c => ValueParser.TryNumber(c, out _))
                ? targetScan.Distinct.OrderBy(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToList()
                : targetScan.Distinct.Order(StringComparer.Ordinal).ToList();
        }

        var columns = new List<ColumnTransform>();
        var reports = new List<ColumnReport>();
        var fitOf = fits.ToDictionary(f => f.Ordinal);
        var kinds = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);
        foreach (var column in schema.Columns)
        {
            kinds.TryAdd(column.Name, column.Kind);
        }

        for (var i = 0; i < source.Columns.Count; i++)
        {
            if (i == targetIndex)
            {
                reports.Add(new ColumnReport { Name = targetName, Kind = task == TaskKind.Classification ? ColumnKind.Categorical : ColumnKind.Numeric, Decision = "target", Missing = dropped, Reason = dropped > 0 ? $"{dropped} rows without a target dropped" : null });
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var f = fitOf[i];
            var kind = kinds.TryGetValue(f.Name, out var known) ? known : schema.Column(f.Name).Kind;
            var (transform, report) = f.Decide(kind, options.NumericImputation);
            reports.Add(report);
            if (transform is not null)
            {
                columns.Add(transform);
            }
        }

        if (columns.Count == 0)
        {
            throw new DatasetValidationException(file, "no feature column is left after cleaning: " + string.Join("; ", reports.Where(r => r.Decision == "dropped").Select(r => $"'{SafeText.Echo(r.Name)}' {r.Reason}")) + ".");
        }

        var fitted = new FittedTransform
        {
            Target = targetName,
            Task = task,
            Classes = classes,
            Columns = columns,
            DroppedColumns = [.. reports.Where(r => r.Decision == "dropped").Select(r => r.Name)],
            TargetScale = task == TaskKind.Classification ? null : new FeatureScale(targetStats.Mean, targetStats.Std),
        };
        return new FitResult(fitted, reports, rows, dropped, splitRows);
    }

    private PreprocessResult Write(string inputPath, string file, JobSpec spec, FitResult fit, string outputFolder, CancellationToken cancellationToken)
    {
        var transform = fit.Transform;
        var k = spec.Training.Shards;
        var features = transform.FeatureCount;
        var outputs = transform.Outputs;
        var task = (int)transform.Task;
        var shardPaths = Enumerable.Range(0, k).Select(i => Path.Combine(outputFolder, $"shard-{i:D4}.bin")).ToList();
        var validationPath = Path.Combine(outputFolder, "validation.bin");
        var testPath = Path.Combine(outputFolder, "test.bin");
        var shards = new ShardFileWriter[k];
        ShardFileWriter? validation = null, test = null;
        try
        {
            for (var i = 0; i < k; i++)
            {
                shards[i] = ShardFileWriter.Create(shardPaths[i], features, outputs, task);
            }

            validation = ShardFileWriter.Create(validationPath, features, outputs, task);
            test = ShardFileWriter.Create(testPath, features, outputs, task);

            using var source = CsvSource.OpenFile(inputPath, limits, file);
            var bound = transform.Bind(source.Columns);
            var targetIndex = IndexOfTarget(source, transform.Target);
            var classification = transform.Task == TaskKind.Classification;
            var assigner = new SplitAssigner(spec.Training.Seed, options.ValidationFraction, options.TestFraction);
            var buffer = new float[features];
            long trainIndex = 0, read = 0;
            while (source.MoveNext())
            {
                if ((read++ & 0xFF) == 0 || features > 1000)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var row = source.Current;
                var raw = row[targetIndex];
                // Regression targets take the fast number path; the result is the same as EncodeTarget's.
                var y = !classification && row.TryNumber(targetIndex, out var number) ? transform.EncodeTarget(number) : transform.EncodeTarget(raw);
                if (y is null)
                {
                    continue;
                }

                var split = assigner.Next(classification ? raw.Trim() : []);
                bound.Apply(row, buffer);
                var writer = split switch
                {
                    Split.Train => shards[trainIndex++ % k],
                    Split.Validation => validation,
                    _ => test,
                };
                writer.WriteRow(buffer, y.Value);
            }

            foreach (var w in shards)
            {
                w.Complete();
            }

            validation.Complete();
            test.Complete();

            var profile = new DatasetProfile
            {
                Source = file,
                Target = transform.Target,
                Task = transform.Task,
                Rows = fit.Rows,
                RowsDroppedMissingTarget = fit.Dropped,
                TrainRows = fit.SplitRows[(int)Split.Train],
                ValidationRows = fit.SplitRows[(int)Split.Validation],
                TestRows = fit.SplitRows[(int)Split.Test],
                ShardRows = shards.Select(s => s.Rows).ToList(),
                Classes = transform.Classes,
                Features = features,
                Imputation = options.NumericImputation.ToString(),
                Seed = spec.Training.Seed,
                Columns = fit.Reports,
            };
            var transformPath = Path.Combine(outputFolder, "transform.json");
            var profilePath = Path.Combine(outputFolder, "profile.json");
            File.WriteAllText(transformPath, transform.ToJson());
            File.WriteAllText(profilePath, profile.ToJson());
            return new PreprocessResult
            {
                Transform = transform,
                Profile = profile,
                ShardPaths = shardPaths,
                ValidationPath = validationPath,
                TestPath = testPath,
                TransformPath = transformPath,
                ProfilePath = profilePath,
            };
        }
        finally
        {
            foreach (var w in shards)
            {
                w?.Dispose();
            }

            validation?.Dispose();
            test?.Dispose();
        }
    }

    private static int IndexOfTarget(CsvSource source, string target)
    {
        for (var i = 0; i < source.Columns.Count; i++)
        {
            if (string.Equals(source.Columns[i], target, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new DatasetValidationException(source.File, $"the target column '{SafeText.Echo(target)}' is not in the header; the columns are: {SafeText.Echo(string.Join(", ", source.Columns))}.", line: 1);
    }
}
