using System.Text.Json;
using Pipeline.Cli;
using Pipeline.Cli.Demo;

namespace Pipeline.Cli.Tests;

/// <summary>
/// `pipeline demo --test-file`: held-out rows go through the serving API and come back as metrics. The house file has
/// every column kind the scorer must type (numbers, yes/no, categories, dates, missing values).
/// </summary>
public sealed class DemoHeldOutTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-heldout-").FullName;

    [Fact]
    public async Task Regression_rows_the_model_never_saw_are_scored_like_its_own_test_split()
    {
        var (train, test) = Files(testRows: 1000);

        var (code, root, error) = await Demo(train, test, "price", "regression");

        Assert.True(code == ExitCodes.Ok, error);
        var heldOut = root.GetProperty("heldOut");
        Assert.False(heldOut.TryGetProperty("error", out _), heldOut.ToString());
        Assert.Equal(1000, heldOut.GetProperty("rows").GetInt64());
        Assert.Equal(0, heldOut.GetProperty("skippedRows").GetInt64());
        Assert.Equal(1, heldOut.GetProperty("version").GetInt32());

        // Same generator, same model: the held-out R² lands near the demo's own test split, and the figures agree.
        var r2 = heldOut.GetProperty("r2").GetDouble();
        Assert.InRange(r2, 0.5, 1.0);
        Assert.InRange(r2 - root.GetProperty("metrics").GetProperty("r2").GetDouble(), -0.15, 0.15);
        var rmse = heldOut.GetProperty("rmse").GetDouble();
        Assert.InRange(heldOut.GetProperty("mse").GetDouble() / (rmse * rmse), 1 - 1e-9, 1 + 1e-9);
        Assert.InRange(heldOut.GetProperty("mae").GetDouble(), 0, rmse);
    }

    [Fact]
    public async Task Classification_rows_get_accuracy_macro_f1_and_log_loss()
    {
        var (train, test) = Files(testRows: 500);

        var (code, root, error) = await Demo(train, test, "garage", "classification");

        Assert.True(code == ExitCodes.Ok, error);
        var heldOut = root.GetProperty("heldOut");
        Assert.Equal(500, heldOut.GetProperty("rows").GetInt64());
        Assert.InRange(heldOut.GetProperty("accuracy").GetDouble(), 0, 1);
        Assert.InRange(heldOut.GetProperty("macroF1").GetDouble(), 0, 1);
        Assert.True(double.IsFinite(heldOut.GetProperty("logLoss").GetDouble()));
        Assert.False(heldOut.TryGetProperty("r2", out _));
    }

    [Fact]
    public async Task A_test_file_without_a_column_the_model_needs_is_reported_and_fails_the_run()
    {
        var (train, _) = Files(testRows: 10);
        var test = Path.Combine(_dir, "narrow.csv");
        File.WriteAllLines(test, ["area_m2,price", "80,300000"]);

        var (code, root, _) = await Demo(train, test, "price", "regression");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal("Deployed", root.GetProperty("state").GetString());
        Assert.Contains("no column 'rooms'", root.GetProperty("heldOut").GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private (string Train, string Test) Files(int testRows)
    {
        var train = Path.Combine(_dir, "train.csv");
        var test = Path.Combine(_dir, "test.csv");
        HousePriceCsv.Write(train, 6000, seed: 1);
        HousePriceCsv.Write(test, testRows, seed: 2);
        return (train, test);
    }

    private async Task<(int Code, JsonElement Root, string Error)> Demo(string train, string test, string target, string task)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await PipelineCommand.RunAsync(
            ["demo", "--file", train, "--target", target, "--task", task, "--test-file", test, "--workers", "2", "--rounds", "4", "--json", "--dir", Path.Combine(_dir, "run")],
            output,
            error);
        using var json = JsonDocument.Parse(output.ToString());
        return (code, json.RootElement.Clone(), error.ToString() + output);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
