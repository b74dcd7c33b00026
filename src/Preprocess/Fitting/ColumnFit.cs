using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Schema;
using Pipeline.Tabular.Transforms;

namespace Pipeline.Preprocess.Fitting;

/// <summary>
/// Everything one streaming pass learns about a feature column: its kind (from all rows, via
/// <see cref="ColumnScan"/>) and, from training rows only, what imputation and scaling need, for every kind the
/// column could turn out to be (the kind is known only at the end). Memory is bounded: samples and counts are capped.
/// </summary>
internal sealed class ColumnFit
{
    private const int SampleSize = 10_000;
    private const int MaxNumberCounts = 10_000;

    private readonly int _maxCategories;
    private readonly Random _random;
    private readonly double[] _numberSample = new double[SampleSize];
    private readonly double[] _daySample = new double[SampleSize];
    private readonly Dictionary<double, long> _numberCounts = [];
    private readonly Dictionary<string, long> _categoryCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _categoryLookup;
    private RunningStats _numbers;
    private RunningStats _days;
    private RunningStats _months;
    private RunningStats _weekdays;
    private long _trainRows;
    private long _trainTrue;
    private long _trainFalse;
    private long _trainPresent;
    private bool _numberCountsOverflow;
    private bool _categoryOverflow;
    private long _keptRows;
    private long _keptMissing;
    private long _keptNumbers;
    private long _keptBooleans;
    private long _keptDates;

    public ColumnFit(string name, int ordinal, int maxCategories, int seed)
    {
        Ordinal = ordinal;
        _maxCategories = maxCategories;
        Scan = new ColumnScan(name, Math.Max(1000, maxCategories + 1));
        _random = new Random(seed ^ ordinal);
        _categoryLookup = _categoryCounts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Ordinal { get; }

    public ColumnScan Scan { get; }

    public string Name => Scan.Name;

    /// <summary>A row whose target is missing: counts towards the kind only.</summary>
    public void AddDropped(CsvRow row, long line) => Scan.Add(row, Ordinal, line, out _);

    public void Add(CsvRow row, long line, bool train)
    {
        var kind = Scan.Add(row, Ordinal, line, out var value);
        _keptRows++;
        switch (kind)
        {
            case ValueClass.Missing: _keptMissing++; break;
            case ValueClass.Number: _keptNumbers++; break;
            case ValueClass.Boolean: _keptBooleans++; break;
            case ValueClass.Date: _keptDates++; break;
            default: break;
        }

        if (!train)
        {
            return;
        }

        _trainRows++;
        if (kind == ValueClass.Missing)
        {
            return;
        }

        _trainPresent++;
        switch (kind)
        {
            case ValueClass.Number:
                _numbers.Add(value);
                Sample(_numberSample, _numbers.Count, value);
                CountNumber(value);
                break;
            case ValueClass.Boolean:
                if (value > 0)
                {
                    _trainTrue++;
                }
                else
                {
                    _trainFalse++;
                }

                break;
            case ValueClass.Date:
                AddDate(value);
                break;
            default:
                break;
        }

        CountCategory(row[Ordinal].Trim());
    }

    /// <summary>Decides whether the column is kept and how it is transformed; the reason is for the profile.</summary>
    public (ColumnTransform? Transform, ColumnReport Report) Decide(ColumnKind kind, NumericImputation imputation)
    {
        var drop = DropReason(kind);
        if (drop is not null)
        {
            return (null, Report(kind, "dropped", drop, 0, null, 0));
        }

        switch (kind)
        {
            case ColumnKind.Numeric:
            {
                var missing = _trainRows - _numbers.Count;
                var (impute, how) = ImputeNumber(_numbers, _numberSample, imputation, _numberCountsOverflow ? null : _numberCounts);
                var scale = _numbers.WithCopies(impute, missing);
                var t = new ColumnTransform { Name = Name, Kind = kind, Impute = impute, Scales = [new FeatureScale(scale.Mean, scale.Std)] };
                return (t, Report(kind, "kept", null, _keptRows - _keptNumbers, $"{how} {impute:G6}", 1));
            }

            case ColumnKind.Boolean:
            {
                var impute = _trainTrue >= _trainFalse ? 1 : 0;
                var t = new ColumnTransform { Name = Name, Kind = kind, Impute = impute };
                return (t, Report(kind, "kept", null, _keptRows - _keptBooleans, $"most frequent {(impute == 1 ? "true" : "false")}", 1));
            }

            case ColumnKind.Date:
            {
                var missing = _trainRows - _days.Count;
                var (impute, how) = ImputeNumber(_days, _daySample, imputation, counts: null);
                var date = ValueParser.FromDays(impute);
                var t = new ColumnTransform
                {
                    Name = Name,
                    Kind = kind,
                    Impute = impute,
                    Scales =
                    [
                        Scale(_days.WithCopies(impute, missing)),
                        Scale(_months.WithCopies(date.Month, missing)),
                        Scale(_weekdays.WithCopies((int)date.DayOfWeek, missing)),
                    ],
                };
                return (t, Report(kind, "kept", null, _keptRows - _keptDates, $"{how} {date:yyyy-MM-dd}", 3));
            }

            default:
            {
                var categories = _categoryCounts.Keys.Order(StringComparer.Ordinal).ToList();
                var mostFrequent = _categoryCounts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key).FirstOrDefault();
                var t = new ColumnTransform { Name = Name, Kind = kind, Categories = categories, ImputeCategory = mostFrequent };
                return (t, Report(kind, "kept", null, _keptMissing, mostFrequent is null ? null : $"most frequent '{mostFrequent}'", categories.Count) with { Categories = categories.Count });
            }
        }
    }

    private string? DropReason(ColumnKind kind)
    {
        var scan = Scan;
        if (kind == ColumnKind.Empty)
        {
            return "empty: no values";
        }

        if (scan.Distinct.Count == 1 && !scan.DistinctOverflow)
        {
            return $"constant: every value is '{scan.Distinct.First()}'";
        }

        if (kind == ColumnKind.Numeric && scan.StrictlyIncreasingNumbers && scan.AllIntegers && scan.Present >= 20)
        {
            return "identifier-like: whole numbers increasing row by row";
        }

        if (kind == ColumnKind.Categorical)
        {
            var tooMany = scan.DistinctOverflow || scan.Distinct.Count > _maxCategories || _categoryOverflow;
            if (!scan.HasRepeats && (tooMany || scan.Present >= 20))
            {
                return "identifier-like: every value is distinct";
            }

            if (tooMany)
            {
                return $"more than {_maxCategories} categories (setting Pipeline:Preprocess:MaxCategories)";
            }
        }

        if (_trainPresent == 0)
        {
            return "no values in the training split";
        }

        return null;
    }

    private ColumnReport Report(ColumnKind kind, string decision, string? reason, long imputed, string? imputedWith, int features) => new()
    {
        Name = Name,
        Kind = kind,
        Decision = decision,
        Reason = reason,
        Missing = Scan.Missing,
        Imputed = decision == "kept" ? imputed : 0,
        ImputedWith = imputed > 0 ? imputedWith : null,
        Features = features,
    };

    private static FeatureScale Scale(RunningStats stats) => new(stats.Mean, stats.Std);

    private static (double Value, string How) ImputeNumber(RunningStats stats, double[] sample, NumericImputation imputation, Dictionary<double, long>? counts)
    {
        if (stats.Count == 0)
        {
            return (0, "zero (no training values)");
        }

        switch (imputation)
        {
            case NumericImputation.Median:
                return (Median(sample, stats.Count), "median");
            case NumericImputation.MostFrequent when counts is { Count: > 0 }:
                return (counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).First().Key, "most frequent");
            case NumericImputation.MostFrequent:
                return (Median(sample, stats.Count), "median (too many distinct values for most frequent)");
            default:
                return (stats.Mean, "mean");
        }
    }

    private static double Median(double[] sample, long seen)
    {
        // Exact up to SampleSize training values, otherwise the median of a uniform reservoir sample.
        var n = (int)Math.Min(seen, sample.Length);
        var sorted = sample.AsSpan(0, n).ToArray();
        Array.Sort(sorted);
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }

    private void Sample(double[] sample, long seen, double value)
    {
        // Reservoir sampling (Algorithm R), seeded: the same data and seed give the same median.
        if (seen <= sample.Length)
        {
            sample[seen - 1] = value;
            return;
        }

        var j = _random.NextInt64(seen);
        if (j < sample.Length)
        {
            sample[j] = value;
        }
    }

    private void AddDate(double days)
    {
        var date = ValueParser.FromDays(days);
        _days.Add(days);
        _months.Add(date.Month);
        _weekdays.Add((int)date.DayOfWeek);
        Sample(_daySample, _days.Count, days);
    }

    private void CountNumber(double value)
    {
        if (_numberCountsOverflow)
        {
            return;
        }

        if (_numberCounts.TryGetValue(value, out var count))
        {
            _numberCounts[value] = count + 1;
        }
        else if (_numberCounts.Count < MaxNumberCounts)
        {
            _numberCounts[value] = 1;
        }
        else
        {
            _numberCountsOverflow = true;
            _numberCounts.Clear();
        }
    }

    private void CountCategory(ReadOnlySpan<char> value)
    {
        if (_categoryOverflow)
        {
            return;
        }

        if (_categoryLookup.TryGetValue(value, out var count))
        {
            _categoryLookup[value] = count + 1;
        }
        else if (_categoryCounts.Count <= _maxCategories)
        {
            _categoryLookup[value] = 1;
        }
        else
        {
            _categoryOverflow = true;
            _categoryCounts.Clear();
        }
    }
}
