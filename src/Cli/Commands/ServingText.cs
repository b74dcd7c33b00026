using System.Globalization;
using System.Text.Json;
using Pipeline.Contracts;

namespace Pipeline.Cli.Commands;

/// <summary>
/// The serving verbs' answers as a person reads them (tables and lines); `--json` prints the API's JSON instead. Read
/// from the JSON rather than typed records so a field the API adds later does not break an older CLI.
/// </summary>
public static class ServingText
{
    /// <summary>`pipeline models`: one line per model, with the production version's test metrics.</summary>
    public static void WriteModels(JsonElement models, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (models.GetArrayLength() == 0)
        {
            output.WriteLine("no models yet (a deployed job registers one)");
            return;
        }

        output.WriteLine($"{"MODEL",-24}  {"PRODUCTION",-10}  {"LATEST",-6}  TEST (production, else latest)");
        foreach (var m in models.EnumerateArray())
        {
            var production = Int(m, "production");
            var latest = Int(m, "latest");
            var shown = m.GetProperty("versions").EnumerateArray().FirstOrDefault(v => Int(v, "version") == (production ?? latest));
            output.WriteLine($"{Text(m, "name"),-24}  {Version(production),-10}  {Version(latest),-6}  {(shown.ValueKind == JsonValueKind.Object ? Metrics(shown, "test") : "-")}");
        }
    }

    /// <summary>`pipeline models NAME`: the versions with stage, test metrics and baseline, then the production history.</summary>
    public static void WriteModel(JsonElement model, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine($"model {Text(model, "name")}, production {Version(Int(model, "production"))}");
        output.WriteLine($"{"VERSION",-7}  {"STAGE",-10}  {"CREATED",-16}  {"JOB",-8}  TEST  |  BASELINE");
        foreach (var v in model.GetProperty("versions").EnumerateArray())
        {
            var job = Text(v, "jobId");
            output.WriteLine($"{Version(Int(v, "version")),-7}  {Text(v, "stage"),-10}  {Time(v, "createdAt"),-16}  {job[..Math.Min(8, job.Length)],-8}  {Metrics(v, "test")}  |  {Metrics(v, "baseline")}");
            if (v.TryGetProperty("stageReason", out var reason) && reason.ValueKind == JsonValueKind.String)
            {
                output.WriteLine($"{"",-7}  {reason.GetString()}");
            }
        }

        if (model.TryGetProperty("history", out var history) && history.GetArrayLength() > 0)
        {
            output.WriteLine("production history");
            foreach (var h in history.EnumerateArray())
            {
                var until = h.TryGetProperty("until", out var u) && u.ValueKind == JsonValueKind.String ? Time(h, "until") : "now";
                output.WriteLine($"  {Version(Int(h, "version")),-5}  {Time(h, "since")} .. {until}  {Text(h, "reason")}");
            }
        }
    }

    /// <summary>`pipeline rollback NAME`: which version serves now, and which one did.</summary>
    public static void WriteRollback(JsonElement answer, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var from = Int(answer, "fromVersion");
        var to = Int(answer, "toVersion");
        output.WriteLine(from == to
            ? $"{Text(answer, "name")}: {Version(to)} is already production"
            : $"{Text(answer, "name")}: production is now {Version(to)} (was {Version(from)})");
    }

    /// <summary>
    /// `pipeline predict`: one line per row (a value, or a label with its probability); the columns the model ignored
    /// and the warnings go to <paramref name="error"/>, so stdout stays one prediction per line for scripts.
    /// </summary>
    public static void WritePredictions(JsonElement answer, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var predictions = answer.GetProperty("predictions");
        var numbered = predictions.GetArrayLength() > 1;
        var row = 0;
        foreach (var p in predictions.EnumerateArray())
        {
            var prefix = numbered ? $"{row,5}  " : "";
            if (p.TryGetProperty("label", out var label))
            {
                var probability = p.GetProperty("probabilities").TryGetProperty(label.GetString() ?? "", out var pr) ? pr.GetDouble() : double.NaN;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{prefix}{label.GetString()}  (probability {probability:F3})"));
            }
            else
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{prefix}{p.GetProperty("value").GetDouble():G6}"));
            }

            row++;
        }

        error.WriteLine($"model {Text(answer, "model")} {Version(Int(answer, "version"))}");
        if (answer.TryGetProperty("ignored", out var ignored) && ignored.GetArrayLength() > 0)
        {
            error.WriteLine($"ignored columns the model does not use: {string.Join(", ", ignored.EnumerateArray().Select(i => i.GetString()))}");
        }

        if (answer.TryGetProperty("warnings", out var warnings))
        {
            foreach (var w in warnings.EnumerateArray())
            {
                error.WriteLine($"warning: row {Int(w, "row")}: {Text(w, "message")}");
            }
        }
    }

    private static string Metrics(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var m) && m.ValueKind == JsonValueKind.Object
            ? MetricsText.Describe(m.Deserialize<ModelMetrics>(JsonSerializerOptions.Web))
            : "-";

    private static int? Int(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

    private static string Text(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : "";

    private static string Version(int? version) => version is { } v ? $"v{v}" : "-";

    private static string Time(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out var at)
            ? at.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)
            : "-";
}
