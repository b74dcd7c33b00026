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

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
