using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Ingest.Spec;
using Pipeline.Ingest.Triggers;
using Pipeline.Orchestrator;
using Pipeline.Orchestrator.StateMachines;
using Pipeline.Platform.Artifacts;
using Pipeline.Testing.Training;
using Xunit.Abstractions;

namespace Pipeline.Training.IntegrationTests;

/// <summary>
/// The services spread over five "hosts" (network namespaces on a private bridge, see infra/netns.sh), every one a
/// real process configured by environment variables only:
/// <code>
///   infra 10.231.0.2  RabbitMQ, PostgreSQL, s3rver (the rig's own, not the shared local stack)
///   ctl   10.231.0.3  orchestrator-a, deploy (serving on ctl:5081), ingest-b
///   data  10.231.0.4  ingest-a, preprocess, orchestrator-b
///   w1    10.231.0.5  TrainWorker w1
///   w2    10.231.0.6  TrainWorker w2
/// </code>
/// Two orchestrators share the saga queue (concurrent events for one job, across processes and hosts) and two
/// ingest instances watch the same bucket (one job per object version). Needs root; test.sh runs it on its own.
/// </summary>
[Trait("Category", "MultiHost")]
public sealed partial class MultiHostTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> TestSettings = new()
    {
        // A silent peer is dropped after about two missed heartbeats; only then does the broker hand its shard on.
        ["Pipeline:RabbitMq:Heartbeat"] = "00:00:02",
        // The backstop for a lost shard; well above a round here (seconds) so it only acts if redelivery did not.
        ["Pipeline:Orchestrator:RoundTimeout"] = "00:00:40",
        ["Pipeline:Scheduler:PollInterval"] = "00:00:00.250",
        ["Pipeline:Ingest:PollInterval"] = "00:00:01",
        ["Pipeline:Bus:RetryMaxInterval"] = "00:00:05",
        ["Pipeline:Deploy:Baseline"] = "false",
        ["Logging:Console:TimestampFormat"] = "HH:mm:ss.fff ",
    };

    // Only this test's processes ever see it.
    private const string DeployAdminToken = "multi-host-admin-token-0123456789abcdef";

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(string Name, ServiceProcess Process)> _services = [];

    [Fact]
    public async Task Services_on_five_hosts_deploy_a_model_and_a_job_survives_a_worker_host_losing_its_link_mid_shard()
    {
        await using var net = await NetworkNamespaces.UpAsync("infra", "ctl", "data", "w1", "w2");
        Log($"hosts and infrastructure up in {net.UpTime.TotalSeconds:0.0} s");
        using var store = (S3ArtifactStore)ArtifactStoreServiceCollectionExtensions.Create(new ArtifactStoreOptions
        {
            Provider = "s3",
            Endpoint = net.Settings["Pipeline:Storage:Endpoint"],
            AccessKey = net.Settings["Pipeline:Storage:AccessKey"],
            SecretKey = net.Settings["Pipeline:Storage:SecretKey"],
        });
        try
        {
            Start(net, "orchestrator-a", "ctl", "Orchestrator");
            // Deploy listens on the host's network address, so it must ask for keys (a host beyond loopback with
            // authentication off refuses to start).
            Start(net, "deploy", "ctl", "Deploy", ("ASPNETCORE_URLS", $"http://{net.Address("ctl")}:5081"), ("Pipeline:Security:Authentication", "ApiKeys"), ("Pipeline:Security:AdminToken", DeployAdminToken));
            Start(net, "ingest-b", "ctl", "Ingest");
            Start(net, "ingest-a", "data", "Ingest");
            Start(net, "preprocess", "data", "Preprocess");
            Start(net, "orchestrator-b", "data", "Orchestrator");
            var w1 = Start(net, "w1", "w1", "TrainWorker", ("Pipeline:TrainWorker:WorkerName", "w1"));
            var w2 = Start(net, "w2", "w2", "TrainWorker", ("Pipeline:TrainWorker:WorkerName", "w2"));
            await Expect(Task.WhenAll(_services.Select(s => s.Process.WaitForLine("Application started", TimeSpan.FromMinutes(3)))), "every service starts");
            Log($"{_services.Count} services started");

            // 1. A job from a dropped file to a served model, every stage on another host.
            var first = await SubmitAsync(store, "mh-first", Houses(20_000, seed: 1), new TrainingSettings { Shards = 2, Rounds = 2, HiddenLayers = [16], LearningRate = 0.003, Patience = 0, Seed = 1 });
            var job1 = await WaitForJob(net, first, TrainingSystem.IsOver, TimeSpan.FromMinutes(3), "first job ends");
            Assert.True(job1.CurrentState == "Completed", $"{job1.CurrentState}: {job1.FailureReason}\n{Diagnostics()}");
            Assert.Equal(1, job1.DeployedVersion);
            Log($"first job Completed, mh-first v1 deployed ({Stages(job1)})");
            using (var http = new HttpClient { BaseAddress = new Uri($"http://{net.Address("ctl")}:5081/"), Timeout = TimeSpan.FromSeconds(30) })
            {
                using (var anonymous = await http.PostAsJsonAsync("predict/mh-first", new { area = 120.0 }))
                {
                    Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
                }

                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DeployAdminToken);
                using (var answer = await http.PostAsJsonAsync("predict/mh-first", new { area = 120.0, rooms = 3, age = 10.0, distance = 5.0, quality = 4 }))
                {
                    var body = await answer.Content.ReadAsStringAsync();
                    Assert.True(answer.IsSuccessStatusCode, body);
                    using var json = JsonDocument.Parse(body);
                    Assert.Equal(1, json.RootElement.GetProperty("version").GetInt32());
                    Assert.True(double.IsFinite(json.RootElement.GetProperty("predictions")[0].GetProperty("value").GetDouble()), body);
                }
            }

            // Both ingest instances listed the bucket: still one job for the object.
            Assert.Equal(1, await CountJobs(net, "mh-first"));

            // 2. The first worker seen training a round-2 shard loses its link in the middle of it.
            var second = await SubmitAsync(store, "mh-cut", Houses(150_000, seed: 2), new TrainingSettings { Shards = 2, Rounds = 5, LocalEpochs = 2, HiddenLayers = [128, 128], LearningRate = 0.001, Patience = 0, Seed = 2 });
            var prefix = $"Job {second} round 2 shard ";
            var seen1 = w1.WaitForLine(prefix, TimeSpan.FromMinutes(4));
            var seen2 = w2.WaitForLine(prefix, TimeSpan.FromMinutes(4));
            var seen = await Expect(Task.WhenAny(seen1, seen2), "a worker starts a round-2 shard");
            var line = await Expect(seen, "a worker starts a round-2 shard");
            var (victimName, victim, other) = seen == seen1 ? ("w1", w1, w2) : ("w2", w2, w1);
            var shard = int.Parse(RoundTwoShard().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
            await net.SetLinkAsync(victimName, up: false);
            Log($"cut {victimName}'s link while it trains round 2 shard {shard}");
            Assert.False(victim.Output.Contains($"{prefix}{shard}: trained", StringComparison.Ordinal), $"{victimName} finished the shard before its link was cut: the cut did not land mid-shard");

            // The broker notices the silent host (missed heartbeats) and hands the shard to the other worker.
            await Expect(other.WaitForLine($"{prefix}{shard}: training", TimeSpan.FromMinutes(2)), "the other worker takes the shard over");
            Log($"the other worker took round 2 shard {shard} over; restoring {victimName}'s link");
            await net.SetLinkAsync(victimName, up: true);

            var job2 = await WaitForJob(net, second, TrainingSystem.IsOver, TimeSpan.FromMinutes(4), "second job ends");
            Log($"second job {job2.CurrentState} ({Stages(job2)})");
            Assert.True(job2.CurrentState == "Completed", $"{job2.CurrentState}: {job2.FailureReason}\n{Diagnostics()}");
            Assert.Equal([1, 2, 3, 4, 5], job2.History.Select(h => h.Round));

            // Each shard counted once per round, and the samples add up to the training split every round.
            var trainingRows = job2.Prepared!.Shards.Sum(s => s.Rows);
            foreach (var round in job2.History)
            {
                Assert.Equal([0, 1], round.Shards.Select(s => s.Shard).Order());
                Assert.Equal(trainingRows, round.Shards.Sum(s => s.Samples));
            }

            // The cut shard was trained elsewhere; the cut-off worker came back and took work again.
            var cutRound = job2.History.Single(h => h.Round == 2);
            Assert.Equal(seen == seen1 ? "w2" : "w1", cutRound.Shards.Single(s => s.Shard == shard).Worker);
            Assert.True(
                job2.History.Where(h => h.Round > 2).SelectMany(h => h.Shards).Any(s => s.Worker == victimName),
                $"{victimName} trained nothing after its link came back:\n{Describe(job2)}\n{Diagnostics()}");
            Assert.Equal(1, await CountJobs(net, "mh-cut"));

            // No round had to wait for its timeout: nothing was sent twice by the saga (a lost update of the job by
            // one of the two orchestrators, or a shard the broker failed to hand on, would show as attempt 2).
            Assert.DoesNotContain("(attempt 2)", w1.Output + w2.Output, StringComparison.Ordinal);
            Log(Describe(job2));
        }
        finally
        {
            foreach (var (_, process) in _services)
            {
                await process.DisposeAsync();
            }
        }

        Log("hosts removed");
    }

    private ServiceProcess Start(NetworkNamespaces net, string name, string host, string project, params (string Key, string? Value)[] extra)
    {
        var process = net.Start(host, project, net.With(TestSettings, [("Pipeline:RabbitMq:ConnectionName", name), .. extra]));
        _services.Add((name, process));
        return process;
    }

    /// <summary>Drops a CSV into the ingest bucket with the job's spec in its metadata, as a user would; returns the job id Ingest derives.</summary>
    private static async Task<Guid> SubmitAsync(S3ArtifactStore store, string model, string csv, TrainingSettings training)
    {
        var spec = new JobSpec { ModelName = model, Target = "price", Task = TaskKind.Regression, Training = training };
        await store.EnsureBucketAsync("ingest");
        var key = model + ".csv";
        await store.PutWithHashAsync("ingest", key, new MemoryStream(Encoding.UTF8.GetBytes(csv)), JobSpecMetadata.ToMetadata(spec));
        var info = await store.StatAsync("ingest", key) ?? throw new InvalidOperationException($"ingest/{key} vanished after upload");
        return JobIds.ForObjectVersion("ingest", key, info.ETag ?? string.Empty, spec);
    }

    /// <summary>House prices shaped like the seed's example.</summary>
    private static string Houses(int rows, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("area,rooms,age,distance,quality,price\n", rows * 40);
        for (var i = 0; i < rows; i++)
        {
            var area = 40 + (random.NextDouble() * 210);
            var rooms = random.Next(1, 8);
            var age = random.NextDouble() * 80;
            var distance = 0.5 + (random.NextDouble() * 40);
            var quality = random.Next(1, 6);
            var noise = (random.NextDouble() - 0.5) * 20_000;
            var price = (1500 * area) + (8000 * rooms) - (600 * age) - (2500 * distance) + (15_000 * quality) + noise;
            csv.Append(CultureInfo.InvariantCulture, $"{area:F1},{rooms},{age:F1},{distance:F2},{quality},{price:F0}\n");
        }

        return csv.ToString();
    }


    /// <summary>Polls the job's saga row in the rig's PostgreSQL until the condition holds or the deadline passes.</summary>
    private async Task<TrainingJobState> WaitForJob(NetworkNamespaces net, Guid id, Func<TrainingJobState?, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        TrainingJobState? job = null;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            await using (var db = Jobs(net))
            {
                job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.CorrelationId == id);
            }

            if (condition(job))
            {
                return job!;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        throw new TimeoutException($"{what}: not within {timeout.TotalSeconds:0} s; job {id} last seen {job?.CurrentState ?? "(none)"}, round {job?.Round}\n{Diagnostics()}");
    }

    private static async Task<int> CountJobs(NetworkNamespaces net, string model)
    {
        await using var db = Jobs(net);
        return await db.Jobs.CountAsync(j => j.ModelName == model);
    }

    private static PostgresOrchestratorDbContext Jobs(NetworkNamespaces net) =>
        new(new DbContextOptionsBuilder<PostgresOrchestratorDbContext>().UseNpgsql(net.Settings["Pipeline:Database:ConnectionString"]).Options);

    private static string Stages(TrainingJobState job)
    {
        static string Span(DateTimeOffset from, DateTimeOffset? to) => to is null ? "?" : $"{(to.Value - from).TotalSeconds:0.0} s";
        return $"ingest {Span(job.SubmittedAt, job.AcceptedAt)}, preprocess {Span(job.AcceptedAt ?? job.SubmittedAt, job.PreprocessedAt)}, "
            + $"training {Span(job.PreprocessedAt ?? job.SubmittedAt, job.TrainedAt)}, deploy {Span(job.TrainedAt ?? job.SubmittedAt, job.FinishedAt)}";
    }

    private static string Describe(TrainingJobState job) =>
        string.Join("\n", job.History.Select(h => $"round {h.Round}: " + string.Join(", ", h.Shards.Select(s => $"shard {s.Shard} {s.Samples} rows by {s.Worker}"))));

    /// <summary>Awaits a step; if it fails or times out, the failure carries every service's recent output.</summary>
    private async Task<T> Expect<T>(Task<T> step, string what)
    {
        try
        {
            return await step;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{what}: {ex.Message}\n{Diagnostics()}", ex);
        }
    }

    private async Task Expect(Task step, string what) => await Expect(step.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), what);

    private string Diagnostics() =>
        string.Join("\n", _services.Select(s => $"---- {s.Name}\n{string.Join('\n', s.Process.Output.Split('\n').Where(l => !l.TrimStart().StartsWith("at ", StringComparison.Ordinal)).TakeLast(25))}"));

    private void Log(string message) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.0} s] {message}");

    [GeneratedRegex(@"round 2 shard (\d+): training")]
    private static partial Regex RoundTwoShard();
}
