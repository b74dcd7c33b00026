using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.Cli.Commands;
using Pipeline.Ingest;
using Pipeline.Orchestrator.Api;
using Pipeline.Platform.Hosting;
using Pipeline.Contracts.Api;

namespace Pipeline.Cli.Demo;

/// <summary>
/// `pipeline demo`: a whole job in embedded mode (in-memory transport, SQLite, local folder as object store), on a
/// generated house-price file or the user's own, followed live until it ends.
/// </summary>
public static class DemoCommand
{
    public static readonly string[] ValueOptions = ["--file", "--target", "--task", "--rows", "--workers", "--rounds", "--seed", "--dir", "--set", "--test-file", "--url", .. TrainingFlags.Values];
    public static readonly string[] Flags = ["--json", "--serve"];

    public const string Usage = """
        usage: pipeline demo [--file PATH --target COLUMN] [--task regression|classification] [--rows N]
                             [--workers K] [--rounds R] [--seed S] [TRAINING SETTINGS] [--spec FILE]
                             [--set "KEY=VALUE ..."] [--dir PATH]
                             [--test-file PATH] [--json] [--serve [--url URL]]

        Runs a whole job in embedded mode: nothing to install but the .NET SDK. Without --file it generates a seeded
        synthetic house-price file (--rows, default 100000). --workers is the number of shards trained in parallel
        (default 4 for the generated file, else chosen by the automatic plan), --rounds the most rounds of training
        and merging (default: the plan's; training stops early when validation stops improving). --json prints one JSON object instead
        of the live progress and summary. --serve keeps the dashboard (/ui/jobs), its /api and the serving API up
        afterwards, on --url (default http://127.0.0.1:5080).
        --set takes any job setting as space-separated KEY=VALUE pairs, with the keys of object metadata (e.g.
        --set "epochs=2 batch-size=128 optimizer-state=reset force-deploy=true"); it wins over the options above.
        --dir is where the demo keeps its database and objects (default .pipeline/demo; emptied first).
        --test-file is a CSV of held-out rows with the same columns: once the job is over, they are sent to the
        serving API in batches and the model's metrics on them are reported as heldOut (a rejected candidate is
        scored too).
        Exit code 0 when the model is deployed (and the --test-file rows scored), 1 otherwise.

        """ + TrainingFlags.Usage;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static async Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var json = line.Flag("--json");
        var rows = line.Int("--rows", 100_000, 100, 50_000_000);
        var baseSpec = TrainingFlags.BaseSpec(line);
        var given = baseSpec.Training;
        // Auto leaves the choice to the automatic plan; the generated house prices show four workers unless told otherwise.
        var workers = line.Int("--workers", line.Value("--file") is null && given.Shards == TrainingSettings.Auto ? 4 : given.Shards, 1, 64);
        var rounds = line.Int("--rounds", given.Rounds, 1, 10_000);
        var seed = line.Int("--seed", line.Value("--spec") is null ? 42 : given.Seed, 0, int.MaxValue);
        var task = line.Value("--task") switch
        {
            null => baseSpec.Task,
            "regression" => TaskKind.Regression,
            "classification" => TaskKind.Classification,
            var other => throw new UsageException($"--task must be regression or classification, not '{other}'."),
        };
        var file = line.Value("--file");
        if (file is not null && !File.Exists(file))
        {
            throw new UsageException($"--file {file}: no such file.");
        }

        var testFile = line.Value("--test-file");
        if (testFile is not null && !File.Exists(testFile))
        {
            throw new UsageException($"--test-file {testFile}: no such file.");
        }

        var log = json ? error : output;
        var folder = Path.GetFullPath(line.Value("--dir") ?? Path.Combine(".pipeline", "demo"));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        if (file is null)
        {
            file = Path.Combine(folder, "houses.csv");
            HousePriceCsv.Write(file, rows, seed);
            log.WriteLine($"generated {rows:N0} house-price rows (seed {seed}) -> {file}");
        }

        var spec = baseSpec with
        {
            Target = line.Value("--target") ?? baseSpec.Target ?? (line.Value("--file") is null ? "price" : null),
            Task = task,
            Training = given with { Shards = workers, Rounds = rounds, Seed = seed },
        };
        spec = TrainingFlags.Apply(spec, line);
        if (line.Value("--url") is not null && !line.Flag("--serve"))
        {
            throw new UsageException("--url is where --serve listens; give --serve too.");
        }

        var started = Stopwatch.GetTimestamp();
        await using var app = ServiceHost.Build(ServiceHost.All, EmbeddedMode.Settings(folder), line.Flag("--serve") ? ServeUrl(line) : null, quiet: true);
        await app.StartAsync(cancellationToken);
        SubmittedFile submitted;
        using (var scope = app.Services.CreateScope())
        {
            submitted = await scope.ServiceProvider.GetRequiredService<IngestClient>().SubmitFileAsync(file, spec, Path.GetFileName(file), cancellationToken);
        }

        log.WriteLine($"job {submitted.JobId} submitted ({submitted.Source})");

        // SIGTERM stops the host; stop following then too, or the process would wait for a job that cannot move.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
        var job = await Follow(app.Services, submitted.JobId, log, started, stopping.Token);
        var result = Summarise(job);
        var modelName = job.Summary.ModelName;
        if (result.State == "Deployed" && job.Model?.Version is { } version)
        {
            // Ask the serving API that is now up, as any client would.
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/") };
            var (validation, baseline) = await DeployedModelInfo.DescribeAsync(http, modelName, version, cancellationToken);
            var target = job.Spec.Target ?? "";
            var onnx = Path.Combine(folder, "objects", new Deploy.DeployOptions().Bucket, Deploy.Deployment.ModelArtifactKeys.Key(modelName, version, Deploy.Deployment.ModelArtifactKeys.OnnxFile));
            result = result with
            {
                Validation = validation ?? result.Validation,
                Baseline = baseline ?? result.Baseline,
                Model = result.Model! with { Onnx = File.Exists(onnx) ? onnx : null },
                SamplePrediction = await DeployedModelInfo.PredictFirstRowAsync(http, modelName, file, target, cancellationToken),
            };
        }

        if (testFile is not null)
        {
            // The version the job registered, deployed or not: a candidate the gate rejected is still a model to measure.
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/") };
            log.WriteLine($"scoring held-out rows of {testFile}");
            result = result with { HeldOut = await HeldOutScorer.ScoreAsync(http, job.Summary.JobId, modelName, job.Model?.Version, result.State, Path.GetFullPath(testFile), cancellationToken) };
        }

        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(result, Json));
        }
        else
        {
            PrintSummary(result, job, output, Stopwatch.GetElapsedTime(started));
        }

        if (line.Flag("--serve"))
        {
            var url = ServeUrl(line).TrimEnd('/');
            log.WriteLine($"dashboard on {url}/ui/jobs, serving API on {url} (Ctrl+C to stop)");
            await app.WaitForShutdownAsync(cancellationToken);
        }

        // Held-out rows that could not be scored fail the run: whoever passed --test-file is waiting for those figures.
        return result.State == "Deployed" && result.HeldOut?.Error is null ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>Asks the orchestrator's read side for the job and prints a line whenever its stage or round changes.</summary>
    private static async Task<JobDetail> Follow(IServiceProvider services, Guid jobId, TextWriter log, long started, CancellationToken cancellationToken)
    {
        var jobs = services.GetRequiredService<JobQueries>();
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        var last = "";
        while (await tick.WaitForNextTickAsync(cancellationToken))
        {
            var job = await jobs.FindAsync(jobId, cancellationToken);
            if (job is null)
            {
                continue;
            }

            var now = ProgressLine.Of(job.Summary);
            if (now != last)
            {
                log.WriteLine(ProgressLine.Stamped(Stopwatch.GetElapsedTime(started), now));
                last = now;
            }

            if (job.Summary.Finished)
            {
                return job;
            }
        }

        throw new OperationCanceledException();
    }

    private static DemoResult Summarise(JobDetail job)
    {
        var best = job.Rounds.FirstOrDefault(h => h.Round == job.BestRound);
        var trainingStarted = job.Timeline.FirstOrDefault(t => t.Stage == "preprocessed")?.At;
        return new DemoResult
        {
            JobId = job.Summary.JobId,
            State = job.Summary.State,
            Rounds = job.Rounds.Count,
            History = trainingStarted is { } at
                ? [.. job.Rounds.Select(h => new DemoRound(h.Round, h.ValidationLoss, (h.MergedAt - at).TotalSeconds))]
                : null,
            Metrics = job.Model?.Test,
            Baseline = job.Model?.Baseline,
            Trivial = job.Model?.Trivial,
            Validation = best?.Validation,
            Model = job.Summary.ModelName.Length == 0 ? null : new DemoModel(job.Summary.ModelName, job.Model?.Version, null),
            Stages = job.Stages,
            Error = job.Failure is { } f ? new DemoError(f.Stage, f.Reason) : null,
        };
    }

    private static void PrintSummary(DemoResult result, JobDetail job, TextWriter output, TimeSpan elapsed)
    {
        output.WriteLine();
        output.WriteLine($"job        {result.JobId}");
        output.WriteLine($"state      {result.State}{(result.Error is { } e ? $" ({e.Stage}: {e.Message})" : "")}");
        var epochs = job.Spec.Training.LocalEpochs;
        output.WriteLine($"rounds     {result.Rounds} of at most {job.Spec.Training.Rounds} (best: {job.BestRound}; {epochs} epoch{(epochs == 1 ? "" : "s")} per round)");
        output.WriteLine($"validation {Describe(result.Validation)}");
        output.WriteLine($"test       {Describe(result.Metrics)}");
        output.WriteLine($"baseline   {Describe(result.Baseline)}  (ML.NET boosted trees on the same split)");
        output.WriteLine($"trivial    {Describe(result.Trivial)}  ({(job.Spec.Task == TaskKind.Classification ? "majority class" : "training mean")} on the same split)");
        if (job.Spec.Plan is { } plan)
        {
            output.WriteLine("plan       " + MetricsText.Plan(plan));
        }

        if (result.HeldOut is { } h)
        {
            output.WriteLine($"held out   {DescribeHeldOut(h)}");
        }
        if (result.Model is { } model)
        {
            output.WriteLine($"model      {model.Name} v{model.Version?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
            output.WriteLine($"onnx       {model.Onnx ?? "-"}");
        }

        if (result.SamplePrediction is not null)
        {
            output.WriteLine($"sample     {JsonSerializer.Serialize(result.SamplePrediction)}");
        }

        output.WriteLine("stages     " + string.Join("  ", result.Stages.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Name} {s.Seconds:F1}s"))));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total      {elapsed.TotalSeconds:F1}s"));
    }

    private static string DescribeHeldOut(HeldOutMetrics h) => h.Error is { } error
        ? $"not scored: {error}"
        : MetricsText.Describe(("mse", h.Mse), ("rmse", h.Rmse), ("mae", h.Mae), ("r2", h.R2), ("accuracy", h.Accuracy), ("macroF1", h.MacroF1), ("logLoss", h.LogLoss))
            + string.Create(CultureInfo.InvariantCulture, $"  ({h.Rows:N0} rows of {h.File}, v{h.Version})");

    private static string Describe(ModelMetrics? m) => MetricsText.Describe(m);

    /// <summary>Where --serve listens: --url, which only makes sense with --serve.</summary>
    private static string ServeUrl(CommandLine line) => line.Value("--url") ?? "http://127.0.0.1:5080";
}
