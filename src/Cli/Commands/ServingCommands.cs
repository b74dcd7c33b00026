using System.Text.Json;
using Pipeline.Client;

namespace Pipeline.Cli.Commands;

/// <summary>
/// Verbs that talk to a running system's serving API (`pipeline up`, `pipeline demo --serve`, or the Deploy
/// service): `models`, `predict`, `rollback`. Readable lines by default, the API's JSON with --json; a refused
/// request is one line on stderr.
/// </summary>
public static class ServingCommands
{
    public static readonly string[] ModelsValues = ["--url"];
    public static readonly string[] PredictValues = ["--url", "--input", "--csv", "--version"];
    public static readonly string[] RollbackValues = ["--url", "--to", "--by"];
    public static readonly string[] Flags = ["--json"];

    public const string ModelsUsage = "usage: pipeline models [NAME] [--url URL] [--json]\n\nLists the served models, or one model's versions with metrics, stage and production history.";

    public const string PredictUsage = """
        usage: pipeline predict MODEL (--input JSON | --input @FILE | --input - | --csv FILE) [--version N] [--url URL] [--json]

        Sends rows of raw feature values to POST /predict/MODEL[/N] and prints one prediction per line (--json: the
        answer). --input takes one JSON object or an array of objects, given inline, in a file (@FILE) or on standard
        input (-); --csv takes a CSV file with a header row. Columns the model does not use (the target, columns
        dropped in training) are ignored and named on stderr.
        """;

    public const string RollbackUsage = "usage: pipeline rollback NAME [--to VERSION] [--by WHO] [--url URL] [--json]\n\nMakes an earlier version of NAME production again (the previous production version when --to is absent).";

    public static async Task<int> ModelsAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        using var client = ApiHttp.PipelineClient(line);
        if (line.Positionals.Count > 0)
        {
            return Print(await client.GetModelAsync(line.Positionals[0], cancellationToken), line, output, error, (answer, o, _) => ServingText.WriteModel(answer, o));
        }

        return Print(await client.ListModelsAsync(cancellationToken), line, output, error, (answer, o, _) => ServingText.WriteModels(answer, o));
    }

    public static async Task<int> PredictAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        var model = line.Positionals.Count == 1 ? line.Positionals[0] : throw new UsageException("give exactly one MODEL.");
        var input = PredictInput.Read(line, Console.In);
        int? version = line.Value("--version") is null ? null : line.Int("--version", 0, 1, int.MaxValue);
        using var client = ApiHttp.PipelineClient(line);
        return Print(await client.PredictAsync(model, input, version, cancellationToken), line, output, error, ServingText.WritePredictions);
    }

    public static async Task<int> RollbackAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        var name = line.Positionals.Count == 1 ? line.Positionals[0] : throw new UsageException("give exactly one NAME.");
        int? to = line.Value("--to") is null ? null : line.Int("--to", 0, 1, int.MaxValue);
        using var client = ApiHttp.PipelineClient(line);
        var moved = await client.RollbackAsync(name, to, line.Value("--by") ?? Environment.UserName, cancellationToken);
        return Print(moved, line, output, error, (answer, o, _) => ServingText.WriteRollback(answer, o));
    }

    /// <summary>The answer as JSON with --json, else as <paramref name="write"/> puts it (refusals are thrown by the client).</summary>
    private static int Print<T>(T answer, CommandLine line, TextWriter output, TextWriter error, Action<JsonElement, TextWriter, TextWriter> write)
    {
        if (line.Flag("--json"))
        {
            ApiHttp.WriteJson(answer, output);
        }
        else
        {
            write(JsonSerializer.SerializeToElement(answer, PipelineClient.Json), output, error);
        }

        return ExitCodes.Ok;
    }
}
