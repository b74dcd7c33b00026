using System.Globalization;
using System.Runtime.InteropServices;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Schema;
using Pipeline.Tabular.Transforms;
using Pipeline.Tabular.Text;

namespace Pipeline.Preprocess.Fitting;

/// <summary>
/// Everything one streaming pass learns about a feature column: its kind (from all rows, via
/// <see cref="ColumnScan"/>) and, from training rows only, what imputation and scaling need, for every kind the
/// column could turn out to be (the kind is known only at the end). Memory is bounded: samples and counts are capped,
/// and grow with the values actually seen, so a file of 100 000 columns and a few rows costs a few rows' worth.
/// </summary>
internal sealed class ColumnFit
{
    private const int SampleSize = 10_000;
    private const int MaxNumberCounts = 10_000;

    /// <summary>Sample skewness above which a numeric column is log-compressed (an exponential's is 2, a normal's 0).</summary>
    private const double LongTailSkewness = 2;

    /// <summary>Fewer training values than this say too little about a tail to reshape a column.</summary>
    private const int MinLongTailSample = 30;

    /// <summary>Distinct categories counted per column; later new values are not counted (memory stays bounded).</summary>
    private const int MaxTrackedCategories = 10_000;

    /// <summary>A categorical column whose values average this many tokens is free text (hashed), not categories.</summary>
    private const double TextTokensPerValue = 3;

    /// <summary>Hash buckets of a text column.</summary>
    public const int TextBuckets = 64;

    private static readonly ColumnTransform CyclicDate = new() { Name = "", Kind = ColumnKind.Date, Encoding = ColumnTransform.CyclicDate };

    private readonly int _maxCategories;
    private readonly int _seed;
    private Random? _random;
    private readonly List<double> _numberSample = [];
    private readonly List<double> _daySample = [];
    private readonly Dictionary<double, long> _numberCounts = [];
    private readonly Dictionary<string, long> _categoryCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _categoryLookup;
    private RunningStats _numbers;
    private double _numberMin = double.PositiveInfinity;
    private RunningStats _days;
    private RunningStats[]? _dateParts;
    private long _textValues;
    private long _textTokens;
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
        _seed = seed ^ ordinal;
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
                _numberMin = Math.Min(_numberMin, value);
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

        CountCategory(row[Ordinal].Trim(), kind == ValueClass.Number);
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
                var (compressed, why) = CompressLongTail(t, missing);
                return (compressed ?? t, Report(kind, "kept", why, _keptRows - _keptNumbers, $"{how} {impute:G6}", 1));
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
                Span<double> imputed = stackalloc double[CyclicDate.FeatureCount];
                FeatureEncoder.DateParts(CyclicDate, date, imputed);
                var parts = _dateParts ?? new RunningStats[CyclicDate.FeatureCount];
                var scales = new FeatureScale[parts.Length];
                for (var i = 0; i < scales.Length; i++)
                {
                    scales[i] = Scale(parts[i].WithCopies(imputed[i], missing));
                }

                var t = CyclicDate with { Name = Name, Impute = impute, Scales = scales };
                return (t, Report(kind, "kept", null, _keptRows - _keptDates, $"{how} {date:yyyy-MM-dd HH:mm}", t.FeatureCount));
            }

            default:
                return DecideCategorical(kind);
        }
    }

    /// <summary>
    /// Free text (values of several words, more distinct values than kept categories) is hashed into token buckets;
    /// up to <c>MaxCategories</c> categories are one-hot encoded; beyond that the most frequent ones keep a feature
    /// each and the rest share an "other" feature, so a many-valued column (airports, zip codes) keeps its signal.
    /// </summary>
    private (ColumnTransform, ColumnReport) DecideCategorical(ColumnKind kind)
    {
        var byFrequency = _categoryCounts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key).ToList();
        var mostFrequent = byFrequency.FirstOrDefault();
        var imputedWith = mostFrequent is null ? null : $"most frequent '{SafeText.Echo(mostFrequent)}'";
        var distinct = _categoryOverflow ? $"more than {MaxTrackedCategories:N0}" : byFrequency.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        if (IsText)
        {
            var text = new ColumnTransform { Name = Name, Kind = kind, Encoding = ColumnTransform.HashedText, TextBuckets = TextBuckets };
            var why = $"free text ({(double)_textTokens / _textValues:0.#} words per value, {distinct} distinct values): its words hashed into {TextBuckets} token buckets";
            return (text, Report(kind, "kept", why, _keptMissing, null, TextBuckets) with { Categories = byFrequency.Count });
        }

        if (!_categoryOverflow && byFrequency.Count <= _maxCategories)
        {
            var categories = byFrequency.Order(StringComparer.Ordinal).ToList();
            var t = new ColumnTransform { Name = Name, Kind = kind, Categories = categories, ImputeCategory = mostFrequent };
            return (t, Report(kind, "kept", null, _keptMissing, imputedWith, categories.Count) with { Categories = categories.Count });
        }

        var top = byFrequency.Take(_maxCategories).ToList();
        var topRows = top.Sum(c => _categoryCounts[c]);
        var kept = new ColumnTransform { Name = Name, Kind = kind, Categories = top, ImputeCategory = mostFrequent, Encoding = ColumnTransform.TopCategoriesAndOther };
        var reason = $"{distinct} categories: the {top.Count} most frequent ({100.0 * topRows / Math.Max(1, _trainPresent):0.#} % of training values) one-hot, the rest share '(other)' (setting Pipeline:Preprocess:MaxCategories)";
        return (kept, Report(kind, "kept", reason, _keptMissing, imputedWith, kept.FeatureCount) with { Categories = byFrequency.Count });
    }

    private bool IsText =>
        _textValues > 0 && (double)_textTokens / _textValues >= TextTokensPerValue && (_categoryOverflow || _categoryCounts.Count > _maxCategories);

    private string? DropReason(ColumnKind kind)
    {
        var scan = Scan;
        if (kind == ColumnKind.Empty)
        {
            return "empty: no values";
        }

        if (scan.Distinct.Count == 1 && !scan.DistinctOverflow)
        {
            return $"constant: every value is '{SafeText.Echo(scan.Distinct.First())}'";
        }

        // Numbers are never dropped as identifiers: a code, a year or a count that increases in a sorted file still
        // carries signal, and a true row number costs one feature the network learns to ignore.
        if (kind == ColumnKind.Categorical && !IsText)
        {
            var tooMany = scan.DistinctOverflow || scan.Distinct.Count > _maxCategories || _categoryOverflow;
            if (!scan.HasRepeats && (tooMany || scan.Present >= 20))
            {
                return "identifier-like: every value is distinct (and not free text)";
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

    /// <summary>
    /// A numeric column with a long right tail (sample skewness above <see cref="LongTailSkewness"/>: money, counts,
    /// rainfall) is log-compressed before scaling: z-scored as is, most of its values crowd into a sliver near the
    /// mean and the difference between none and a little (a dry day and a drizzly one) all but vanishes next to the
    /// few huge values. The unit is the 1st percentile of the values above the minimum, so the smallest steps stay
    /// visible whatever the column's unit. Decided and fitted on the training values' uniform sample (exact up to
    /// <see cref="SampleSize"/> rows); the imputed copies count in the fitted mean and std as in the plain scale.
    /// </summary>
    private (ColumnTransform? Transform, string? Why) CompressLongTail(ColumnTransform plain, long missing)
    {
        var n = (int)Math.Min(_numbers.Count, _numberSample.Count);
        var twoValued = !_numberCountsOverflow && _numberCounts.Count <= 2; // any map of two values is affine: nothing to gain
        if (n < MinLongTailSample || twoValued)
        {
            return (null, null);
        }

        var sample = CollectionsMarshal.AsSpan(_numberSample)[..n];
        var skewness = Skewness(sample);
        if (!(skewness > LongTailSkewness))
        {
            return (null, null);
        }

        var above = new List<double>(n);
        foreach (var x in sample)
        {
            if (x > _numberMin)
            {
                above.Add(x - _numberMin);
            }
        }

        above.Sort();
        var unit = above.Count > 0 ? above[(int)(0.01 * (above.Count - 1))] : 0;
        if (!(unit > 0) || !double.IsFinite(unit))
        {
            return (null, null);
        }

        var log = plain with { Encoding = ColumnTransform.LogCompressed, LogShift = _numberMin, LogUnit = unit };
        var stats = default(RunningStats);
        foreach (var x in sample)
        {
            stats.Add(FeatureEncoder.Compress(log, x));
        }

        // The sample stands for every present training value; the missing ones enter as copies of the imputed value.
        var present = new RunningStats { Count = _numbers.Count, Mean = stats.Mean, M2 = stats.M2 / n * _numbers.Count };
        var fitted = present.WithCopies(FeatureEncoder.Compress(log, plain.Impute), missing);
        var why = string.Create(CultureInfo.InvariantCulture, $"long right tail (skewness {skewness:0.#}): ln(1 + (x − {_numberMin:G6}) / {unit:G4}) before scaling");
        return (log with { Scales = [Scale(fitted)] }, why);
    }

    private static double Skewness(ReadOnlySpan<double> values)
    {
        var stats = default(RunningStats);
        foreach (var x in values)
        {
            stats.Add(x);
        }

        if (!(stats.Std > 0))
        {
            return 0;
        }

        var third = 0.0;
        foreach (var x in values)
        {
            var z = (x - stats.Mean) / stats.Std;
            third += z * z * z;
        }

        return third / values.Length;
    }

    private static (double Value, string How) ImputeNumber(RunningStats stats, List<double> sample, NumericImputation imputation, Dictionary<double, long>? counts)
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

    private static double Median(List<double> sample, long seen)
    {
        // Exact up to SampleSize training values, otherwise the median of a uniform reservoir sample.
        var n = (int)Math.Min(seen, sample.Count);
        var sorted = sample.GetRange(0, n).ToArray();
        Array.Sort(sorted);
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }

    private void Sample(List<double> sample, long seen, double value)
    {
        // Reservoir sampling (Algorithm R), seeded: the same data and seed give the same median. The list grows to
        // SampleSize as values come (seen - 1 == its count until then); the generator is made when first needed.
        if (seen <= SampleSize)
        {
            sample.Add(value);
            return;
        }

        _random ??= new Random(_seed);
        var j = _random.NextInt64(seen);
        if (j < SampleSize)
        {
            sample[(int)j] = value;
        }
    }

    private void AddDate(double days)
    {
        var date = ValueParser.FromDays(days);
        _days.Add(days);
        Span<double> parts = stackalloc double[CyclicDate.FeatureCount];
        FeatureEncoder.DateParts(CyclicDate, date, parts);
        _dateParts ??= new RunningStats[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            _dateParts[i].Add(parts[i]);
        }

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

    private void CountCategory(ReadOnlySpan<char> value, bool number)
    {
        if (!number)
        {
            // Only text can be free text; numbers skip the per-character scan on the hot path.
            CountTokens(value);
        }

        if (_categoryLookup.TryGetValue(value, out var count))
        {
            _categoryLookup[value] = count + 1;
        }
        else if (_categoryCounts.Count < (number ? _maxCategories + 1 : MaxTrackedCategories))
        {
            _categoryLookup[value] = 1;
        }
        else
        {
            // Values first seen after the cap are not counted: the most frequent categories show up early. Numbers
            // are counted only up to MaxCategories (a numeric column needs no categories; a mixed one rarely many).
            _categoryOverflow = true;
        }
    }

    private void CountTokens(ReadOnlySpan<char> value)
    {
        var tokens = 0;
        var inToken = false;
        foreach (var c in value)
        {
            var letter = char.IsLetterOrDigit(c);
            tokens += letter && !inToken ? 1 : 0;
            inToken = letter;
        }

        _textValues++;
        _textTokens += tokens;
    }
}
