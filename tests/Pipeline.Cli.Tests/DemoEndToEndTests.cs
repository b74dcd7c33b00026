using System.Text.Json;
using Pipeline.Cli;

namespace Pipeline.Cli.Tests;

/// <summary>`pipeline demo --json` end to end: every real stage in embedded mode on a small generated file.</summary>
public sealed class DemoEndToEndTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-demo-").FullName;

    [Fact]
    public async Task The_demo_deploys_a_model_that_beats_predicting_the_mean_and_prints_one_json_object()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await PipelineCommand.RunAsync(["demo", "--rows", "6000", "--workers", "2", "--rounds", "4", "--json", "--dir", _dir], output, error);

        Assert.True(code == ExitCodes.Ok, error.ToString() + output);
        using var json = JsonDocument.Parse(output.ToString());
        var root = json.RootElement;
        Assert.Equal("Deployed", root.GetProperty("state").GetString());
        Assert.Equal(4, root.GetProperty("rounds").GetInt32());
        var metrics = root.GetProperty("metrics");
        Assert.InRange(metrics.GetProperty("r2").GetDouble(), 0.5, 1.0);
        Assert.True(metrics.GetProperty("rmse").GetDouble() > 0);
        Assert.True(root.GetProperty("baseline").TryGetProperty("rmse", out _));
        Assert.Equal("houses", root.GetProperty("model").GetProperty("name").GetString());
        Assert.True(File.Exists(root.GetProperty("model").GetProperty("onnx").GetString()));
        Assert.Equal(["ingest", "preprocess", "train", "deploy"], root.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(200, root.GetProperty("samplePrediction").GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Demo_serve_listens_on_the_url_given_and_refuses_url_without_serve()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)probe.LocalEndpoint).Port}";
        probe.Stop();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var error = new StringWriter();
        var demo = PipelineCommand.RunAsync(["demo", "--rows", "2000", "--rounds", "2", "--serve", "--url", url, "--dir", _dir], new StringWriter(), error, stop.Token);

        // The demo's job is over once it serves; then its API answers on the address given.
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        string? jobs = null;
        while (jobs is null && !demo.IsCompleted)
        {
            try
            {
                var answer = await http.GetStringAsync("/api/jobs", stop.Token);
                jobs = answer.Contains("\"finished\":true", StringComparison.Ordinal) ? answer : null;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, stop.Token);
        }

        Assert.False(demo.IsCompleted, $"the demo ended instead of serving: {error}");
        Assert.NotNull(jobs);
        Assert.True((await http.GetAsync("/ui/jobs", stop.Token)).IsSuccessStatusCode, "the dashboard is not on the address given");
        await stop.CancelAsync();
        try
        {
            await demo;
        }
        catch (OperationCanceledException)
        {
            // Stopped as Ctrl+C stops it.
        }

        var refused = new StringWriter();
        Assert.Equal(ExitCodes.Usage, await PipelineCommand.RunAsync(["demo", "--url", url, "--dir", _dir], new StringWriter(), refused));
        Assert.Contains("--serve", refused.ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
