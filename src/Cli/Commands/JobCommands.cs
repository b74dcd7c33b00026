using Pipeline.Ingest.Spec;
using Pipeline.Tabular.Naming;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Pipeline.Contracts;
using Pipeline.Orchestrator.Api;
using Pipeline.Contracts.Api;

namespace Pipeline.Cli.Commands;

/// <summary>
/// Verbs that drive jobs on a running system through its /api: `submit`, `status`, `watch`, `cancel`. The address
/// is --url (default http://127.0.0.1:5080, where `pipeline up` listens).
/// </summary>
public static class JobCommands
{
    public static readonly string[] SubmitValues = ["--url", "--target", "--task", "--model", "--workers", "--rounds", "--seed", "--set", .. TrainingFlags.Values];
    public static readonly string[] SubmitFlags = ["--json", "--watch"];
    public static readonly string[] StatusValues = ["--url", "--state", "--limit"];
    public static readonly string[] StatusFlags = ["--json", "--rounds"];
    public static readonly string[] WatchValues = ["--url"];
    public static readonly string[] CancelValues = ["--url", "--reason"];
    public static readonly string[] Flags = ["--json"];

    public const string SubmitUsage = """
        usage: pipeline submit FILE|KEY [--target COLUMN] [--task regression|classification] [--model NAME]
                               [--workers K] [--rounds R] [--seed S] [TRAINING SETTINGS] [--spec FILE]
                               [--set "KEY=VALUE ..."] [--watch] [--url URL] [--json]

        Starts a job. A local FILE is uploaded into the ingest bucket; anything else is taken as the KEY of an object
        already there. Prints the job id (--json: {"jobId", "source"}); --watch then follows it like `watch`.

        """ + TrainingFlags.Usage;

    public static readonly string[] RetrainValues = ["--url", "--target", "--task", "--model", "--workers", "--rounds", "--seed", "--set", .. TrainingFlags.Values.Where(v => v != "--spec")];

    public const string RetrainUsage = """
        usage: pipeline retrain JOB [--target COLUMN] [--task regression|classification] [--model NAME]
                                [--workers K] [--rounds R] [--seed S] [TRAINING SETTINGS]
                                [--set "KEY=VALUE ..."] [--watch] [--url URL] [--json]

        Starts a new job on the object JOB trained on, with the settings JOB was submitted with and the ones given here
        on top (after a failure, or to try other settings); what JOB's automatic plan chose is chosen again. JOB may
        be a unique prefix. Prints the new job id; --watch then follows it like `watch`.

        """ + TrainingFlags.Usage;

    public const string StatusUsage = "usage: pipeline status [JOB] [--rounds] [--state STATE] [--limit N] [--url URL] [--json]\n\nLists jobs (newest first), or shows one job: state, rounds run of planned, best round, why training stopped, the\nresolved settings with the plan's reasons, the last 5 rounds (--rounds: all), test metrics, timings and failure.\nJOB is a job id or any unique prefix of one (as the dashboard shows).";
    public const string WatchUsage = "usage: pipeline watch JOB [--url URL] [--json]\n\nFollows a job live until it ends (times count from its submission), then prints its test metrics beside the\nbaseline's. JOB may be a unique prefix. Exit code 0 when it is deployed, 1 when it ends otherwise.";
    public const string CancelUsage = "usage: pipeline cancel JOB [--reason TEXT] [--url URL] [--json]\n\nCancels a job that has not finished; its pending shards are dropped. JOB may be a unique prefix of the id.";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The submit API names the task as the CLI does ("regression"), not by number.</summary>
    private static readonly JsonSerializerOptions SpecJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>A job exists once Ingest has recorded the upload; until then a just-submitted job is "not found".</summary>
    private static readonly TimeSpan JustSubmitted = TimeSpan.FromSeconds(60);

    public static async Task<int> SubmitAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var what = line.Positionals.Count == 1 ? line.Positionals[0] : throw new UsageException("give exactly one FILE or KEY.");
        var spec = SpecOf(line);
        using var http = ApiHttp.Client(line, Timeout.InfiniteTimeSpan);
        HttpResponseMessage response;
        if (File.Exists(what))
        {
            // Every setting, in the object-metadata vocabulary the API reads with the same parser.
            var query = string.Join('&', JobSpecMetadata.ToMetadata(spec).Prepend(new("name", Path.GetFileName(what)))
                .Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
            await using var file = File.OpenRead(what);
            using var content = new StreamContent(file);
            // The server tells the format by its first bytes; the type only has to be one it accepts.
            content.Headers.ContentType = new(what.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? Pipeline.Ingest.Api.SubmitApi.ParquetMediaType : "text/csv");
            response = await http.PostAsync("api/jobs?" + query, content, cancellationToken);
        }
        else
        {
            response = await http.PostAsJsonAsync("api/jobs", new { key = what, spec }, SpecJson, cancellationToken);
        }

        using (response)
        {
            return await ReportStartedAsync("submit", http, response, line, output, error, cancellationToken);
        }
    }

    /// <summary>`pipeline retrain JOB`: a new job on the old job's object, with its settings and the ones given on top.</summary>
    public static async Task<int> RetrainAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // Only what is given goes to the server, which applies it on top of the spec the old job was submitted with.
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (option, key) in RetrainOptionKeys.Concat(TrainingFlags.MetadataKeys))
        {
            if (line.Value(option) is { } value)
            {
                settings[key] = value;
            }
        }

        foreach (var (key, value) in SpecSettings.Pairs(line.Value("--set")))
        {
            settings[key] = value;
        }

        using var http = ApiHttp.Client(line, Timeout.InfiniteTimeSpan);
        var id = await JobIdPrefix.ResolveAsync(http, line, cancellationToken);
        using var response = await http.PostAsJsonAsync($"api/jobs/{id}/retrain", new { settings }, Json, cancellationToken);
        return await ReportStartedAsync("retrain", http, response, line, output, error, cancellationToken);
    }

    /// <summary>The verb's own options of `retrain` and the object-metadata keys they set.</summary>
    private static readonly Dictionary<string, string> RetrainOptionKeys = new(StringComparer.Ordinal)
    {
        ["--target"] = "target",
        ["--task"] = "task",
        ["--model"] = "model",
        ["--workers"] = "shards",
        ["--rounds"] = "rounds",
        ["--seed"] = "seed",
    };

    private static async Task<int> ReportStartedAsync(string verb, HttpClient http, HttpResponseMessage response, CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            error.WriteLine($"pipeline {verb}: {await ApiHttp.ReasonAsync(response, cancellationToken)}");
            return ApiHttp.ExitCodeOf(response);
        }

        var body = await response.Content.ReadFromJsonAsync<SubmitAnswer>(Json, cancellationToken)
            ?? throw new InvalidDataException("The submit answer was empty.");
        if (line.Flag("--json") && !line.Flag("--watch"))
        {
            output.WriteLine(JsonSerializer.Serialize(body, ApiHttp.Indented));
        }
        else
        {
            (line.Flag("--json") ? error : output).WriteLine($"job {body.JobId} submitted ({body.Source})");
        }

        return line.Flag("--watch") ? await FollowAsync(http, body.JobId, line.Flag("--json"), output, error, cancellationToken, JustSubmitted) : ExitCodes.Ok;
    }

    public static async Task<int> StatusAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var http = ApiHttp.Client(line);
        if (line.Positionals.Count == 0)
        {
            var query = $"api/jobs?limit={line.Int("--limit", 50, 1, 1000)}" + (line.Value("--state") is { } state ? $"&state={Uri.EscapeDataString(state)}" : "");
            using var response = await http.GetAsync(query, cancellationToken);
            if (line.Flag("--json") || !response.IsSuccessStatusCode)
            {
                return await ApiHttp.PrintAsync(response, line, output, error, cancellationToken);
            }

            var jobs = await response.Content.ReadFromJsonAsync<List<JobSummary>>(Json, cancellationToken) ?? [];
            PrintTable(jobs, output);
            return ExitCodes.Ok;
        }

        var id = await JobIdPrefix.ResolveAsync(http, line, cancellationToken);
        using var answer = await http.GetAsync($"api/jobs/{id}", cancellationToken);
        if (line.Flag("--json") || !answer.IsSuccessStatusCode)
        {
            return await ApiHttp.PrintAsync(answer, line, output, error, cancellationToken);
        }

        var detail = await answer.Content.ReadFromJsonAsync<JobDetail>(Json, cancellationToken) ?? throw new InvalidDataException("The job answer was empty.");
        JobDetailText.Write(detail, line.Flag("--rounds"), output);
        return ExitCodes.Ok;
    }

    public static async Task<int> WatchAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var http = ApiHttp.Client(line, Timeout.InfiniteTimeSpan);
        var id = await JobIdPrefix.ResolveAsync(http, line, cancellationToken);
        return await FollowAsync(http, id, line.Flag("--json"), output, error, cancellationToken, TimeSpan.Zero);
    }

    public static async Task<int> CancelAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var http = ApiHttp.Client(line);
        var id = await JobIdPrefix.ResolveAsync(http, line, cancellationToken);
        var reason = line.Value("--reason") is { } r ? "?reason=" + Uri.EscapeDataString(r) : "";
        using var response = await http.PostAsync($"api/jobs/{id}/cancel{reason}", null, cancellationToken);
        if (line.Flag("--json") || !response.IsSuccessStatusCode)
        {
            return await ApiHttp.PrintAsync(response, line, output, error, cancellationToken);
        }

        output.WriteLine($"job {id}: cancel requested");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Prints a line whenever the job moves, until it ends. Listens to /api/events and, between events, asks for
    /// the job again every few seconds, so a missed event costs a few seconds rather than a hang.
    /// </summary>
    private static async Task<int> FollowAsync(HttpClient http, Guid id, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken, TimeSpan notFoundGrace)
    {
        var log = json ? error : output;
        var started = Stopwatch.GetTimestamp();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var changes = Channel.CreateUnbounded<bool>();
        var listener = ListenAsync(http, id, changes.Writer, stop.Token);
        try
        {
            var last = "";
            while (true)
            {
                using var response = await http.GetAsync($"api/jobs/{id}", cancellationToken);
                var notYet = response.StatusCode == System.Net.HttpStatusCode.NotFound && Stopwatch.GetElapsedTime(started) < notFoundGrace;
                if (!response.IsSuccessStatusCode && !notYet)
                {
                    error.WriteLine($"pipeline watch: {await ApiHttp.ReasonAsync(response, cancellationToken)}");
                    return ApiHttp.ExitCodeOf(response);
                }

                var detail = notYet ? null : await response.Content.ReadFromJsonAsync<JobDetail>(Json, cancellationToken) ?? throw new InvalidDataException("The job answer was empty.");
                var now = detail is null ? "Submitted" : ProgressLine.Of(detail.Summary);
                if (now != last)
                {
                    // The job's own age, not this command's: `watch` started late still tells how long the job took.
                    var elapsed = detail is null ? Stopwatch.GetElapsedTime(started) : (detail.Summary.Finished ? detail.Summary.UpdatedAt : DateTimeOffset.UtcNow) - detail.Summary.SubmittedAt;
                    log.WriteLine(ProgressLine.Stamped(elapsed, now));
                    last = now;
                }

                if (detail is { Summary.Finished: true })
                {
                    if (json)
                    {
                        output.WriteLine(JsonSerializer.Serialize(detail, ApiHttp.Indented));
                    }
                    else
                    {
                        output.WriteLine($"training   {JobDetailText.TrainingOutcome(detail)}");
                        if (detail.Model is { } model)
                        {
                            // A finished job ends with its figures beside the baseline's and the trivial predictor's.
                            MetricsText.WriteOutcome(model, detail.Spec.Task, output);
                        }
                    }

                    return detail.Summary.State == "Deployed" ? ExitCodes.Ok : ExitCodes.Failed;
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(TimeSpan.FromSeconds(3));
                try
                {
                    await changes.Reader.WaitToReadAsync(wait.Token);
                    while (changes.Reader.TryRead(out _))
                    {
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // No event for a while: ask again anyway.
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await listener;
        }
    }

    /// <summary>Signals every `job` event for <paramref name="id"/>; reconnects after a dropped stream.</summary>
    private static async Task ListenAsync(HttpClient http, Guid id, ChannelWriter<bool> changes, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync($"api/events?job={id}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                response.EnsureSuccessStatusCode();
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
                while (await reader.ReadLineAsync(cancellationToken) is { } text)
                {
                    if (text.StartsWith("data:", StringComparison.Ordinal))
                    {
                        changes.TryWrite(true);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                // The follower's polling carries on; try the stream again shortly.
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static void PrintTable(IReadOnlyList<JobSummary> jobs, TextWriter output)
    {
        if (jobs.Count == 0)
        {
            output.WriteLine("no jobs");
            return;
        }

        output.WriteLine($"{"JOB",-36}  {"STATE",-13}  {"STAGE",-10}  {"ROUND",-7}  {"PROGRESS",8}  {"AGE",-8}  MODEL");
        foreach (var j in jobs)
        {
            var age = DateTimeOffset.UtcNow - j.SubmittedAt;
            // A cancelled or failed job will not go on: a share of its planned work (23 % at round 81 of 2,000 when it
            // was cancelled) would read as progress. `status JOB` says where it stopped.
            var progress = j.State is "Cancelled" or "Failed" ? "-" : j.Progress.ToString("P0", CultureInfo.InvariantCulture);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{j.JobId,-36}  {j.State,-13}  {j.Stage,-10}  {$"{j.Round}/{j.Rounds}",-7}  {progress,8}  {Age(age),-8}  {j.ModelName}"));
        }
    }

    internal static string Age(TimeSpan age) => age.TotalSeconds < 90
        ? $"{(int)age.TotalSeconds}s"
        : age.TotalMinutes < 90 ? $"{(int)age.TotalMinutes}m" : age.TotalHours < 48 ? $"{(int)age.TotalHours}h" : $"{(int)age.TotalDays}d";

    /// <summary>
    /// The job spec the options ask for: --spec FILE (or the defaults of <see cref="TrainingSettings"/>), then the
    /// options given, then the training flags and --set (<see cref="TrainingFlags"/>).
    /// </summary>
    private static JobSpec SpecOf(CommandLine line)
    {
        var spec = TrainingFlags.BaseSpec(line);
        var training = spec.Training;
        spec = spec with
        {
            Target = line.Value("--target") ?? spec.Target,
            ModelName = line.Value("--model") ?? spec.ModelName,
            Task = line.Value("--task") switch
            {
                null => spec.Task,
                "regression" => TaskKind.Regression,
                "classification" => TaskKind.Classification,
                var other => throw new UsageException($"--task must be regression or classification, not '{other}'."),
            },
            Training = training with
            {
                Shards = line.Int("--workers", training.Shards, 1, TrainingSettingsBounds.MaxShards),
                Rounds = line.Int("--rounds", training.Rounds, 1, TrainingSettingsBounds.MaxRounds),
                Seed = line.Int("--seed", training.Seed, 0, int.MaxValue),
            },
        };
        if (spec.ModelName is { } model && !ModelNames.IsValid(model))
        {
            throw new UsageException($"--model '{model}' is not a usable model name: {ModelNames.Rule}.");
        }

        return TrainingFlags.Apply(spec, line);
    }

    private sealed record SubmitAnswer(Guid JobId, string Source);
}
