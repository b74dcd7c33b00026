using System.Globalization;
using Pipeline.Client;
using Pipeline.Contracts;
using Pipeline.Contracts.Api;
using Pipeline.Ingest.Spec;
using Pipeline.Tabular.Naming;

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

    /// <summary>A job exists once Ingest has recorded the upload; until then a just-submitted job is "not found".</summary>
    private static readonly TimeSpan JustSubmitted = TimeSpan.FromSeconds(60);

    public static async Task<int> SubmitAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var what = line.Positionals.Count == 1 ? line.Positionals[0] : throw new UsageException("give exactly one FILE or KEY.");
        var spec = SpecOf(line);
        using var client = ApiHttp.PipelineClient(line, Timeout.InfiniteTimeSpan);
        JobAccepted accepted;
        if (File.Exists(what))
        {
            // Every setting, in the object-metadata vocabulary the API reads with the same parser.
            await using var file = File.OpenRead(what);
            accepted = await client.SubmitFileAsync(file, Path.GetFileName(what), JobSpecMetadata.ToMetadata(spec), cancellationToken);
        }
        else
        {
            accepted = await client.SubmitObjectAsync(what, spec, cancellationToken);
        }

        return await ReportStartedAsync(client, accepted, line, output, error, cancellationToken);
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

        using var client = ApiHttp.PipelineClient(line, Timeout.InfiniteTimeSpan);
        var id = await JobIdPrefix.ResolveAsync(client.Http, line, cancellationToken);
        return await ReportStartedAsync(client, await client.RetrainAsync(id, settings, cancellationToken), line, output, error, cancellationToken);
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

    private static async Task<int> ReportStartedAsync(PipelineClient client, JobAccepted accepted, CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (line.Flag("--json") && !line.Flag("--watch"))
        {
            ApiHttp.WriteJson(accepted, output);
        }
        else
        {
            (line.Flag("--json") ? error : output).WriteLine($"job {accepted.JobId} submitted ({accepted.Source})");
        }

        return line.Flag("--watch") ? await FollowAsync(client, accepted.JobId, line.Flag("--json"), output, error, cancellationToken, JustSubmitted) : ExitCodes.Ok;
    }

    public static async Task<int> StatusAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var client = ApiHttp.PipelineClient(line);
        if (line.Positionals.Count == 0)
        {
            var jobs = await client.ListJobsAsync(line.Int("--limit", 50, 1, 1000), line.Value("--state"), cancellationToken);
            if (line.Flag("--json"))
            {
                ApiHttp.WriteJson(jobs, output);
            }
            else
            {
                PrintTable(jobs, output);
            }

            return ExitCodes.Ok;
        }

        var id = await JobIdPrefix.ResolveAsync(client.Http, line, cancellationToken);
        var detail = await client.GetJobAsync(id, cancellationToken);
        if (line.Flag("--json"))
        {
            ApiHttp.WriteJson(detail, output);
        }
        else
        {
            JobDetailText.Write(detail, line.Flag("--rounds"), output);
        }

        return ExitCodes.Ok;
    }

    public static async Task<int> WatchAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var client = ApiHttp.PipelineClient(line, Timeout.InfiniteTimeSpan);
        var id = await JobIdPrefix.ResolveAsync(client.Http, line, cancellationToken);
        return await FollowAsync(client, id, line.Flag("--json"), output, error, cancellationToken, TimeSpan.Zero);
    }

    public static async Task<int> CancelAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var client = ApiHttp.PipelineClient(line);
        var id = await JobIdPrefix.ResolveAsync(client.Http, line, cancellationToken);
        var accepted = await client.CancelJobAsync(id, line.Value("--reason"), cancellationToken);
        if (line.Flag("--json"))
        {
            ApiHttp.WriteJson(accepted, output);
            return ExitCodes.Ok;
        }

        output.WriteLine($"job {id}: cancel requested");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Prints a line whenever the job moves, until it ends (<see cref="PipelineClient.WatchAsync"/>), then its outcome.
    /// </summary>
    private static async Task<int> FollowAsync(PipelineClient client, Guid id, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken, TimeSpan notFoundGrace)
    {
        var log = json ? error : output;
        var last = "";
        JobDetail? final = null;
        await foreach (var detail in client.WatchAsync(id, notFoundGrace, cancellationToken: cancellationToken))
        {
            var now = ProgressLine.Of(detail.Summary);
            if (now != last)
            {
                // The job's own age, not this command's: `watch` started late still tells how long the job took.
                var elapsed = (detail.Summary.Finished ? detail.Summary.UpdatedAt : DateTimeOffset.UtcNow) - detail.Summary.SubmittedAt;
                log.WriteLine(ProgressLine.Stamped(elapsed, now));
                last = now;
            }

            final = detail;
        }

        if (final is null)
        {
            throw new InvalidDataException("the watch ended before the job did.");
        }

        if (json)
        {
            ApiHttp.WriteJson(final, output);
        }
        else
        {
            output.WriteLine($"training   {JobDetailText.TrainingOutcome(final)}");
            if (final.Model is { } model)
            {
                // A finished job ends with its figures beside the baseline's and the trivial predictor's.
                MetricsText.WriteOutcome(model, final.Spec.Task, output);
            }
        }

        return final.Summary.State == "Deployed" ? ExitCodes.Ok : ExitCodes.Failed;
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
}
