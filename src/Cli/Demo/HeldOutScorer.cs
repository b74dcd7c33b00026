using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Schema;

namespace Pipeline.Cli.Demo;

/// <summary>
/// The model's metrics on rows it never saw (<c>pipeline demo --test-file</c>). The demo's own test split comes out
/// of the same file as the training rows; a benchmark needs the same held-out rows for every method it compares.
/// </summary>
public sealed record HeldOutMetrics
{
    public required string File { get; init; }

    /// <summary>The job's outcome (Deployed, Rejected, ...): a rejected candidate is scored all the same.</summary>
    public required string State { get; init; }
    public int? Version { get; init; }

    /// <summary>Rows scored; rows without a usable target (missing, or not a number for regression) are skipped.</summary>
    public long Rows { get; init; }
    public long SkippedRows { get; init; }
    public double? Mse { get; init; }
    public double? Rmse { get; init; }
    public double? Mae { get; init; }
    public double? R2 { get; init; }
    public double? Accuracy { get; init; }
    public double? MacroF1 { get; init; }
    public double? LogLoss { get; init; }
    public double Seconds { get; init; }
    public string? Error { get; init; }
}

/// <summary>
/// Sends a held-out CSV to the running serving API in batches, as any client would, and scores the answers. The
/// columns to send, and how to type their values, come from the job's dataset profile (<c>/api/jobs/{id}/profile</c>):
/// the serving API refuses unknown columns and wrong JSON types, so each value is read the way training read it
/// (<see cref="ValueParser"/>) and a value training would have imputed is sent as null.
/// </summary>
public static class HeldOutScorer
{
    // Well under the serving API's defaults (10,000 rows, 8 MiB per request), so a wide or text-heavy file fits too.
    private const int BatchRows = 1000;
    private const int BatchBytes = 1 << 20;

    // Probabilities are clipped before the log, as scikit-learn's log_loss does, so one confident miss stays finite.
    private const double ProbabilityFloor = 1e-15;

    public static async Task<HeldOutMetrics> ScoreAsync(HttpClient http, Guid jobId, string model, int? version, string state, string testFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var started = Stopwatch.GetTimestamp();
        var result = new HeldOutMetrics { File = testFile, State = state, Version = version };
        if (version is not { } v)
        {
            return result with { Error = $"the job ended {state} without a model version to score" };
        }

        try
        {
            var profile = await ReadProfileAsync(http, jobId, cancellationToken);
            var scores = new Scores(profile.Classification);
            using (var source = CsvSource.OpenFile(testFile, new CsvLimits()))
            {
                var plan = RowPlan.Bind(profile, source.Columns, testFile);
                var url = $"predict/{Uri.EscapeDataString(model)}/{v}";
                var buffer = new ArrayBufferWriter<byte>(BatchBytes + (BatchBytes / 4));
                var targets = new List<string>(BatchRows);
                while (true)
                {
                    var more = FillBatch(source, plan, buffer, targets, scores);
                    if (targets.Count > 0)
                    {
                        await SendAsync(http, url, buffer, targets, scores, cancellationToken);
                    }

                    if (!more)
                    {
                        break;
                    }
                }
            }

            return scores.Complete(result) with { Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds };
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or JsonException or IOException or DatasetValidationException)
        {
            return result with { Error = ex.Message, Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds };
        }
    }

    private sealed record Profile(bool Classification, string Target, IReadOnlyList<(string Name, ColumnKind Kind)> Features);

    private static async Task<Profile> ReadProfileAsync(HttpClient http, Guid jobId, CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"api/jobs/{jobId}/profile", cancellationToken));
        var root = doc.RootElement;
        var features = new List<(string, ColumnKind)>();
        foreach (var column in root.GetProperty("columns").EnumerateArray())
        {
            if (column.GetProperty("decision").GetString() == "kept")
            {
                var kind = Enum.Parse<ColumnKind>(column.GetProperty("kind").GetString()!, ignoreCase: true);
                features.Add((column.GetProperty("name").GetString()!, kind));
            }
        }

        return new Profile(root.GetProperty("task").GetString() == "classification", root.GetProperty("target").GetString()!, features);
    }

    /// <summary>Where each feature and the target sit in the test file's header.</summary>
    private sealed record RowPlan(Profile Profile, int[] FeatureIndex, int TargetIndex)
    {
        public static RowPlan Bind(Profile profile, IReadOnlyList<string> header, string file)
        {
            var positions = header.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
            int IndexOf(string name) => positions.TryGetValue(name, out var i)
                ? i
                : throw new InvalidOperationException($"{file} has no column '{name}', which the model was trained on");
            return new RowPlan(profile, profile.Features.Select(f => IndexOf(f.Name)).ToArray(), IndexOf(profile.Target));
        }
    }

    /// <summary>Writes up to one batch of rows as a JSON array; false when the file is at its end.</summary>
    private static bool FillBatch(CsvSource source, RowPlan plan, ArrayBufferWriter<byte> buffer, List<string> targets, Scores scores)
    {
        buffer.ResetWrittenCount();
        targets.Clear();
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartArray();
        var more = true;
        while (targets.Count < BatchRows && writer.BytesCommitted + writer.BytesPending < BatchBytes)
        {
            if (!source.MoveNext())
            {
                more = false;
                break;
            }

            var row = source.Current;
            var target = row[plan.TargetIndex].Trim();
            if (ValueParser.IsMissing(target) || (!plan.Profile.Classification && !ValueParser.TryNumber(target, out _)))
            {
                scores.Skipped++;
                continue;
            }

            targets.Add(target.ToString());
            writer.WriteStartObject();
            for (var i = 0; i < plan.FeatureIndex.Length; i++)
            {
                var (name, kind) = plan.Profile.Features[i];
                writer.WritePropertyName(name);
                WriteValue(writer, kind, row[plan.FeatureIndex[i]].Trim());
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.Flush();
        return more;
    }

    /// <summary>The JSON the serving API expects for the column's kind; null where training would have imputed.</summary>
    private static void WriteValue(Utf8JsonWriter writer, ColumnKind kind, ReadOnlySpan<char> raw)
    {
        if (ValueParser.IsMissing(raw))
        {
            writer.WriteNullValue();
            return;
        }

        switch (kind)
        {
            case ColumnKind.Numeric when ValueParser.TryNumber(raw, out var number):
                writer.WriteNumberValue(number);
                break;
            case ColumnKind.Boolean when ValueParser.TryBoolean(raw, out var flag):
                writer.WriteBooleanValue(flag);
                break;
            case ColumnKind.Date when ValueParser.TryDate(raw, out _):
            case ColumnKind.Categorical:
                writer.WriteStringValue(raw);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    private static async Task SendAsync(HttpClient http, string url, ArrayBufferWriter<byte> buffer, List<string> targets, Scores scores, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(url, content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /{url} answered {(int)response.StatusCode}: {body}");
        }

        using var doc = JsonDocument.Parse(body);
        var predictions = doc.RootElement.GetProperty("predictions");
        if (predictions.GetArrayLength() != targets.Count)
        {
            throw new InvalidOperationException($"POST /{url} answered {predictions.GetArrayLength()} predictions for {targets.Count} rows");
        }

        var i = 0;
        foreach (var p in predictions.EnumerateArray())
        {
            scores.Add(targets[i++], p);
        }
    }

    /// <summary>Accumulates predictions against targets and turns them into the metrics of the task.</summary>
    private sealed class Scores(bool classification)
    {
        private readonly List<double> _actual = [];
        private readonly List<double> _predicted = [];
        private readonly List<(string Actual, string Predicted)> _labels = [];
        private double _logLoss;
        private bool _hasProbabilities = true;

        public long Skipped { get; set; }

        public void Add(string target, JsonElement prediction)
        {
            if (!classification)
            {
                ValueParser.TryNumber(target, out var y);
                _actual.Add(y);
                _predicted.Add(prediction.GetProperty("value").GetDouble());
                return;
            }

            _labels.Add((target, prediction.GetProperty("label").GetString() ?? ""));
            if (!prediction.TryGetProperty("probabilities", out var probabilities))
            {
                _hasProbabilities = false;
                return;
            }

            // Normalised over the classes the model knows; a class it never saw has probability 0 (then clipped).
            double sum = 0, own = 0;
            foreach (var c in probabilities.EnumerateObject())
            {
                var p = Math.Max(c.Value.GetDouble(), 0);
                sum += p;
                own = c.Name == target ? p : own;
            }

            _logLoss -= Math.Log(Math.Max(sum > 0 ? own / sum : 0, ProbabilityFloor));
        }

        public HeldOutMetrics Complete(HeldOutMetrics result)
        {
            result = result with { SkippedRows = Skipped };
            return classification ? Classification(result) : Regression(result);
        }

        private HeldOutMetrics Regression(HeldOutMetrics result)
        {
            var n = _actual.Count;
            if (n == 0)
            {
                return result with { Error = "no row with a numeric target to score" };
            }

            var mean = _actual.Average();
            double squared = 0, absolute = 0, total = 0;
            for (var i = 0; i < n; i++)
            {
                var e = _actual[i] - _predicted[i];
                squared += e * e;
                absolute += Math.Abs(e);
                total += (_actual[i] - mean) * (_actual[i] - mean);
            }

            var mse = squared / n;
            return result with
            {
                Rows = n,
                Mse = mse,
                Rmse = Math.Sqrt(mse),
                Mae = absolute / n,
                R2 = total > 0 ? 1 - (squared / total) : null,
            };
        }

        private HeldOutMetrics Classification(HeldOutMetrics result)
        {
            var n = _labels.Count;
            if (n == 0)
            {
                return result with { Error = "no row with a target to score" };
            }

            // Macro-F1 over every label seen as truth or as prediction, as scikit-learn's f1_score(average="macro").
            var counts = new Dictionary<string, (int Tp, int Fp, int Fn)>(StringComparer.Ordinal);
            var correct = 0;
            foreach (var (actual, predicted) in _labels)
            {
                if (actual == predicted)
                {
                    correct++;
                    var c = counts.GetValueOrDefault(actual);
                    counts[actual] = c with { Tp = c.Tp + 1 };
                    continue;
                }

                var a = counts.GetValueOrDefault(actual);
                counts[actual] = a with { Fn = a.Fn + 1 };
                var p = counts.GetValueOrDefault(predicted);
                counts[predicted] = p with { Fp = p.Fp + 1 };
            }

            var macroF1 = counts.Values.Average(c => 2.0 * c.Tp / ((2.0 * c.Tp) + c.Fp + c.Fn));
            return result with
            {
                Rows = n,
                Accuracy = (double)correct / n,
                MacroF1 = macroF1,
                LogLoss = _hasProbabilities ? _logLoss / n : null,
            };
        }
    }
}
