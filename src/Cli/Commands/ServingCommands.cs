using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Pipeline.Cli.Commands;

/// <summary>
/// Verbs that talk to a running system's serving API (`pipeline up`, `pipeline demo --serve`, or the Deploy
/// service): `models`, `predict`, `rollback`. The address is --url, default http://127.0.0.1:5080.
/// </summary>
public static class ServingCommands
{
    public static readonly string[] ModelsValues = ["--url"];
    public static readonly string[] PredictValues = ["--url", "--input", "--version"];
    public static readonly string[] RollbackValues = ["--url", "--to", "--by"];
    public static readonly string[] Flags = ["--json"];

    public const string ModelsUsage = "usage: pipeline models [NAME] [--url URL] [--json]\n\nLists the served models, or one model's versions with metrics, stage and production history.";
    public const string PredictUsage = "usage: pipeline predict MODEL --input JSON [--version N] [--url URL]\n\nSends one JSON object (or an array of objects) of raw feature values to POST /predict/MODEL[/N] and prints the answer.";
    public const string RollbackUsage = "usage: pipeline rollback NAME [--to VERSION] [--by WHO] [--url URL] [--json]\n\nMakes an earlier version of NAME production again (the previous production version when --to is absent).";

    public static async Task<int> ModelsAsync(CommandLine line, TextWriter output, CancellationToken cancellationToken)
    {
        using var http = ApiHttp.Client(line);
        var path = line.Positionals.Count > 0 ? $"models/{Uri.EscapeDataString(line.Positionals[0])}" : "models";
        return await ApiHttp.PrintAsync(await http.GetAsync(path, cancellationToken), output, cancellationToken);
    }

    public static async Task<int> PredictAsync(CommandLine line, TextWriter output, CancellationToken cancellationToken)
    {
        var model = line.Positionals.Count == 1 ? line.Positionals[0] : throw new UsageException("give exactly one MODEL.");
        var input = line.Value("--input") ?? throw new UsageException("--input JSON is required.");
        try
        {
            using var _ = JsonDocument.Parse(input);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"--input is not valid JSON: {ex.Message}");
        }

        var version = line.Value("--version") is null ? "" : "/" + line.Int("--version", 0, 1, int.MaxValue).ToString(CultureInfo.InvariantCulture);
        using var http = ApiHttp.Client(line);
        using var content = new StringContent(input, Encoding.UTF8, "application/json");
        return await ApiHttp.PrintAsync(await http.PostAsync($"predict/{Uri.EscapeDataString(model)}{version}", content, cancellationToken), output, cancellationToken);
    }

    public static async Task<int> RollbackAsync(CommandLine line, TextWriter output, CancellationToken cancellationToken)
    {
        var name = line.Positionals.Count == 1 ? line.Positionals[0] : throw new UsageException("give exactly one NAME.");
        int? to = line.Value("--to") is null ? null : line.Int("--to", 0, 1, int.MaxValue);
        using var http = ApiHttp.Client(line);
        var body = new { toVersion = to, requestedBy = line.Value("--by") ?? Environment.UserName };
        return await ApiHttp.PrintAsync(await http.PostAsJsonAsync($"models/{Uri.EscapeDataString(name)}/rollback", body, cancellationToken), output, cancellationToken);
    }
}
