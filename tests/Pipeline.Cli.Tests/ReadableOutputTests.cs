using System.Text.Json;
using Pipeline.Cli.Demo;
using Pipeline.Testing.Embedded;
using static Pipeline.Cli.Tests.CliRun;

namespace Pipeline.Cli.Tests;

/// <summary>
/// What a person sees (issue #19): short job ids, training flags, `status` and `watch` summaries, tables instead of
/// JSON, problems as one line, and `predict` taking rows as the user has them. One job trained with flags, in a
/// system hosted in this process; every check goes through the CLI.
/// </summary>
public sealed class ReadableOutputTests : IAsyncLifetime
{
    private EmbeddedSystem? _system;
    private string _url = "";
    private string _csv = "";

    public async Task InitializeAsync()
    {
        _system = await EmbeddedSystem.StartAsync();
        _url = _system.Url;

        // The house prices plus a constant column, which cleaning drops: a row as the user has it then carries both a
        // dropped column and the target.
        var plain = Path.Combine(_system.Folder, "plain.csv");
        HousePriceCsv.Write(plain, 3000, seed: 11);
        _csv = Path.Combine(_system.Folder, "homes.csv");
        await File.WriteAllLinesAsync(_csv, (await File.ReadAllLinesAsync(plain)).Select((l, i) => (i == 0 ? "country," : "fr,") + l));
    }

    [Fact]
    public async Task A_job_trained_with_flags_is_summarised_followed_by_a_short_id_and_predicted_from_csv_rows()
    {
        var (submit, submitOut, submitError) = await Run("submit", _csv, "--target", "price", "--workers", "2", "--rounds", "4",
            "--epochs", "2", "--hidden", "16,8", "--activation", "tanh", "--lr", "0.003", "--set", "activation=gelu", "--url", _url);
        Assert.True(submit == ExitCodes.Ok, submitError);
        var jobId = Guid.Parse(submitOut.Split(' ')[1]);
        var shortId = jobId.ToString()[..8];
        await WaitUntilListed(jobId);

        // watch takes the dashboard's 8 characters, counts from the job's submission and ends with the metrics beside the baseline's.
        var (watch, watchOut, watchError) = await Run("watch", shortId, "--url", _url);
        Assert.True(watch == ExitCodes.Ok, watchError + watchOut);
        Assert.Contains("Deployed", watchOut, StringComparison.Ordinal);
        HasLine(@"(?m)^test\s+mse .*rmse", watchOut);
        HasLine(@"(?m)^baseline\s+.*rmse", watchOut);
        HasLine(@"(?m)^training\s+(ran all 4 rounds|stopped early after \d of at most 4 rounds)", watchOut);

        var (status, text, statusError) = await Run("status", shortId, "--url", _url);
        Assert.True(status == ExitCodes.Ok, statusError);
        Assert.Contains($"job        {jobId}", text, StringComparison.Ordinal);
        HasLine(@"(?m)^\s+epochs\s+2\s+given$", text);
        HasLine(@"(?m)^\s+hidden-layers\s+16,8\s+given$", text);
        HasLine(@"(?m)^\s+learning-rate\s+0\.003\s+given$", text);
        HasLine(@"(?m)^\s+activation\s+gelu\s+given$", text); // --set wins over the flag
        HasLine(@"(?m)^\s+batch-size\s+\d+\s+plan: ", text);    // chosen by the plan, with its reason
        Assert.DoesNotContain("{", text, StringComparison.Ordinal);

        // Only the last rounds unless asked: 4 rounds run at most, so --rounds shows them all and the summary at most 5.
        var (_, all, _) = await Run("status", shortId, "--rounds", "--url", _url);
        Assert.Contains("rounds     all ", all, StringComparison.Ordinal);

        // A prefix no job has: exit 3; not hex: a usage error.
        var other = (shortId[0] == 'f' ? 'e' : 'f') + shortId[1..];
        var (missing, _, missingError) = await Run("status", other, "--url", _url);
        Assert.Equal(ExitCodes.NotFound, missing);
        Assert.Contains($"no job id starts with '{other}'", missingError, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, (await Run("cancel", "zz", "--url", _url)).Code);

        // A finished job cannot be cancelled: one line with the problem's title and detail, no JSON.
        var (cancel, _, cancelError) = await Run("cancel", shortId, "--url", _url);
        Assert.Equal(ExitCodes.Failed, cancel);
        Assert.Single(cancelError.Trim().Split('\n'));
        Assert.DoesNotContain("{", cancelError, StringComparison.Ordinal);

        await ModelsAndPredictions();
    }

    private async Task ModelsAndPredictions()
    {
        var (models, table, _) = await Run("models", "--url", _url);
        Assert.Equal(ExitCodes.Ok, models);
        HasLine(@"(?m)^homes\s+v1\s+v1\s+mse .*rmse", table);
        var (one, versions, _) = await Run("models", "homes", "--url", _url);
        Assert.Equal(ExitCodes.Ok, one);
        HasLine(@"(?m)^v1\s+production\s+", versions);
        var (json, modelsJson, _) = await Run("models", "--json", "--url", _url);
        Assert.Equal(ExitCodes.Ok, json);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(modelsJson).RootElement.ValueKind);

        // Rows as they are in the training file: the dropped column and the target are ignored, and said so.
        var rows = Path.Combine(_system!.Folder, "rows.csv");
        await File.WriteAllLinesAsync(rows, (await File.ReadAllLinesAsync(_csv)).Take(4));
        var (csv, predictions, notes) = await Run("predict", "homes", "--csv", rows, "--url", _url);
        Assert.True(csv == ExitCodes.Ok, notes);
        Assert.Equal(3, predictions.Trim().Split('\n').Length);
        Assert.All(predictions.Trim().Split('\n'), l => HasLine(@"^\s*\d+\s+-?\d", l));
        Assert.Contains("ignored columns the model does not use: country, price", notes, StringComparison.Ordinal);

        var (answerCode, answer, _) = await Run("predict", "homes", "--csv", rows, "--json", "--url", _url);
        Assert.Equal(ExitCodes.Ok, answerCode);
        using var body = JsonDocument.Parse(answer);
        Assert.Equal(["country", "price"], body.RootElement.GetProperty("ignored").EnumerateArray().Select(e => e.GetString()));

        // One row from a file (@FILE) and from standard input (-).
        var row = """{"country": "fr", "area_m2": 80, "rooms": 3, "age_years": 12.5, "distance_km": 4, "quality": 7, "garage": "yes", "neighbourhood": null, "sold_on": "2021-06-01"}""";
        var file = Path.Combine(_system.Folder, "row.json");
        await File.WriteAllTextAsync(file, row);
        var (fromFile, value, _) = await Run("predict", "homes", "--input", "@" + file, "--url", _url);
        Assert.Equal(ExitCodes.Ok, fromFile);
        HasLine(@"^-?\d[\d.]*\s*$", value);
        var stdin = Console.In;
        try
        {
            Console.SetIn(new StringReader(row));
            var (fromStdin, same, _) = await Run("predict", "homes", "--input", "-", "--url", _url);
            Assert.Equal((ExitCodes.Ok, value), (fromStdin, same));
        }
        finally
        {
            Console.SetIn(stdin);
        }

        // A name the training file never had is still refused (a typo must not be imputed silently): one line, exit 1.
        var (typo, _, typoError) = await Run("predict", "homes", "--input", row.Replace("area_m2", "aera_m2", StringComparison.Ordinal), "--url", _url);
        Assert.Equal(ExitCodes.Failed, typo);
        Assert.Contains("Invalid feature values: unknown feature 'aera_m2'", typoError, StringComparison.Ordinal);

        // Rolling back with no earlier version: refused with one line, and the exit code of the status (409: 1).
        var (rollback, _, rollbackError) = await Run("rollback", "homes", "--url", _url);
        Assert.Equal(ExitCodes.Failed, rollback);
        Assert.StartsWith("pipeline rollback: Rollback refused: ", rollbackError, StringComparison.Ordinal);
    }

    /// <summary>Like Assert.Matches, but a failure shows the whole output, which is what one needs to see.</summary>
    private static void HasLine(string pattern, string text) =>
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(text, pattern), $"no match for {pattern} in:\n{text}");

    /// <summary>A prefix is looked up in the jobs list, where a job appears once Ingest has recorded the upload.</summary>
    private async Task WaitUntilListed(Guid jobId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (!(await Run("status", "--json", "--url", _url)).Output.Contains(jobId.ToString(), StringComparison.Ordinal))
        {
            await tick.WaitForNextTickAsync(timeout.Token);
        }
    }

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }
}
