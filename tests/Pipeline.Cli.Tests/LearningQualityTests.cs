using System.Text.Json;

namespace Pipeline.Cli.Tests;

/// <summary>
/// The product on real data, with default settings, end to end through the demo (ingest, plan, training, gate,
/// serving): a model at least as good as the reference the learning-quality report measured on the same split.
/// </summary>
public sealed class LearningQualityTests : IDisposable
{
    /// <summary>
    /// scikit-learn's MLPClassifier((64,)) with its defaults scores accuracy 0.965 on these 114 held-out rows
    /// (bench/quality/results/latest.json, "breast-cancer"); issue 16 asks for that minus 0.02. The majority class
    /// scores 0.658.
    /// </summary>
    private const double ReferenceAccuracy = 0.965 - 0.02;

    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-quality-").FullName;

    [Fact]
    public async Task Breast_cancer_with_default_settings_is_deployed_and_matches_scikit_learns_mlp_on_held_out_rows()
    {
        var data = Path.Combine(AppContext.BaseDirectory, "Data");
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await PipelineCommand.RunAsync(
            ["demo", "--file", Path.Combine(data, "breast-cancer-train.csv"), "--target", "diagnosis", "--test-file", Path.Combine(data, "breast-cancer-test.csv"), "--json", "--dir", Path.Combine(_dir, "run")],
            output,
            error);

        Assert.True(code == ExitCodes.Ok, error.ToString() + output);
        using var json = JsonDocument.Parse(output.ToString());
        var root = json.RootElement;
        Assert.Equal("Deployed", root.GetProperty("state").GetString());
        var heldOut = root.GetProperty("heldOut");
        Assert.Equal(114, heldOut.GetProperty("rows").GetInt64());
        var accuracy = heldOut.GetProperty("accuracy").GetDouble();
        Assert.True(accuracy >= ReferenceAccuracy, $"held-out accuracy {accuracy:F3}, reference {ReferenceAccuracy:F3}");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
