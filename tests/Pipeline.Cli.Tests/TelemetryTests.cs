using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Pipeline.Cli.Demo;
using Pipeline.Platform.Telemetry;
using Pipeline.Testing.Embedded;

namespace Pipeline.Cli.Tests;

/// <summary>Alone: the meters and activity sources are process-wide, so another test's job would move the figures.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}

/// <summary>
/// Traces and metrics of a real job in the all-in-one host (embedded mode): one trace from the submit request to the
/// deployment, and the counters on <c>/metrics</c> moving by what the job did, measured independently of them (the
/// file's size, the job's shard rows from its status API, the rows sent to <c>/predict</c>).
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests : IAsyncLifetime
{
    private const int Shards = 2;
    private const int Rounds = 3;
    private const int Epochs = 2;

    private readonly List<Activity> _spans = [];
    private TracerProvider? _tracing;
    private EmbeddedSystem? _system;

    public async Task InitializeAsync()
    {
        // The test's own in-memory exporter, beside the host's provider: activity sources are process-wide.
        _tracing = Sdk.CreateTracerProviderBuilder().AddSource("*").AddInMemoryExporter(_spans).Build();
        _system = await EmbeddedSystem.StartAsync();
    }

    [Fact]
    public async Task A_jobs_spans_share_one_trace_from_the_submit_request_to_the_deployment()
    {
        var (jobId, _) = await SubmitAndWatchAsync("traced.csv", rows: 3000);
        _tracing!.ForceFlush();
        var spans = Snapshot();

        var submit = Assert.Single(spans, s => s.Kind == ActivityKind.Client && s.GetTagItem("url.full") is string url && url.Contains("/api/jobs?", StringComparison.Ordinal));
        var jobSpans = spans.Where(s => Equals(s.GetTagItem(PipelineTelemetry.JobIdTag), jobId.ToString())).ToList();
        Assert.NotEmpty(jobSpans);
        Assert.All(jobSpans, s => Assert.True(s.TraceId == submit.TraceId, $"span '{s.DisplayName}' ({s.Source.Name}) of the job is in trace {s.TraceId}, not the submit's {submit.TraceId}"));

        // Every stage's message was consumed inside that trace, the deployment last.
        var consumed = jobSpans.SelectMany(s => s.TagObjects.Select(t => t.Value as string ?? "")).ToList();
        foreach (var message in new[] { "ValidateDataset", "DatasetAccepted", "PreprocessDataset", "DatasetPreprocessed", "TrainShard", "ShardTrained", "MergeRound", "RoundMerged", "DeployModel", "ModelDeployed" })
        {
            Assert.True(consumed.Exists(v => v.EndsWith(":" + message, StringComparison.Ordinal)), $"no span of the job consumed {message}; tags seen: {string.Join(", ", consumed.Distinct().Take(40))}");
        }

        // The server side of the request and the database work belong to it too.
        Assert.Contains(spans, s => s.TraceId == submit.TraceId && s.Kind == ActivityKind.Server);
        Assert.Contains(spans, s => s.TraceId == submit.TraceId && s.Source.Name.Contains("EntityFrameworkCore", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_move_by_what_a_job_and_its_predictions_did()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_system!.Url) };
        var before = await ScrapeAsync(http);

        var (jobId, fileBytes) = await SubmitAndWatchAsync("metered.csv", rows: 3000);
        using var detail = JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{jobId}"));
        var rounds = detail.RootElement.GetProperty("rounds").EnumerateArray().ToList();
        var shardRows = rounds.Sum(r => r.GetProperty("shards").EnumerateArray().Sum(s => s.GetProperty("samples").GetInt64()));

        // Five rows of the training file, through the CLI (one batch request).
        var sample = Path.Combine(_system.Folder, "five.csv");
        await File.WriteAllLinesAsync(sample, (await File.ReadAllLinesAsync(Path.Combine(_system.Folder, "metered.csv"))).Take(6));
        var (predict, _, predictError) = await CliRun.Run("predict", "metered", "--csv", sample, "--url", _system.Url);
        Assert.True(predict == ExitCodes.Ok, predictError);

        var after = await ScrapeAsync(http);
        double Delta(string name, params string[] labels) => after.Sum(name, labels) - before.Sum(name, labels);
        var names = string.Join(' ', after.Names);

        Assert.True(Delta("pipeline_jobs", "state=\"Deployed\"") == 1, $"jobs Deployed: {Delta("pipeline_jobs", "state=\"Deployed\"")}; {names}");
        Assert.Equal(Rounds, rounds.Count);
        Assert.Equal(Rounds, Delta("pipeline_training_round_duration_seconds_count"));
        Assert.Equal(Rounds * Shards, Delta("pipeline_training_shard_duration_seconds_count"));
        Assert.Equal(shardRows * Epochs, Delta("pipeline_training_samples_total"));
        Assert.Equal(fileBytes, Delta("pipeline_ingest_bytes_total"));
        Assert.Equal(5, Delta("pipeline_serving_predictions_total", "model=\"metered\""));
        Assert.Equal(1, Delta("pipeline_serving_prediction_duration_seconds_count", "model=\"metered\""));

        // The framework's own instruments are exported beside ours.
        Assert.Contains(after.Names, n => n.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal));
        // (MassTransit's messaging_masstransit_* series are exported too, but its meter is process-wide and goes quiet
        // once an earlier host of this test process has stopped its bus, so they are not asserted here.)
        Assert.Contains(after.Names, n => n.StartsWith("dotnet_", StringComparison.Ordinal) || n.StartsWith("process_runtime_dotnet_", StringComparison.Ordinal));
    }

    private async Task<(Guid JobId, long FileBytes)> SubmitAndWatchAsync(string name, int rows)
    {
        var csv = Path.Combine(_system!.Folder, name);
        HousePriceCsv.Write(csv, rows, seed: 11);

        // The CLI's upload is the submit request (an HttpClient span in this process, the trace's root). The job is
        // deployed whatever the quality gate thinks of a 3-round model: these tests follow telemetry, not quality.
        var (code, output, error) = await CliRun.Run("submit", csv, "--target", "price", "--workers", $"{Shards}", "--rounds", $"{Rounds}", "--epochs", $"{Epochs}", "--set", "force-deploy=true", "--watch", "--json", "--url", _system.Url);
        Assert.True(code == ExitCodes.Ok, error + output);
        var jobId = JsonDocument.Parse(output).RootElement.GetProperty("summary").GetProperty("jobId").GetGuid();
        return (jobId, new FileInfo(csv).Length);
    }

    private static async Task<PrometheusText> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync(TelemetryRegistration.MetricsPath);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return new PrometheusText(await response.Content.ReadAsStringAsync());
    }

    private List<Activity> Snapshot()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }

        _tracing?.Dispose();
    }
}
