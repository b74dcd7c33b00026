using System.Globalization;
using Pipeline.Contracts;
using Pipeline.Preprocess;
using Pipeline.Tabular.Shards;
using Pipeline.Tabular.Transforms;

namespace Pipeline.Ingest.Tests;

/// <summary>Numeric columns with a long right tail are log-compressed before scaling; other numeric columns are not.</summary>
public sealed class LongTailTests
{
    // 2,000 rows: rain (dry on ~55 % of days, else log-normal millimetres, a few missing), temperature (normal),
    // alarm (0/1, rare), y (depends on whether it rained).
    private static string Weather()
    {
        var random = new Random(3);
        return PreprocessTestRun.Rows(2000, i =>
        {
            var rain = random.NextDouble() < 0.55 ? 0 : Math.Round(Math.Exp(Gaussian(random)) * 4, 1) + 0.1;
            var temperature = 15 + (6 * Gaussian(random));
            var alarm = random.Next(50) == 0 ? 1 : 0;
            var y = (rain > 0 ? 10 : 0) + (0.2 * temperature) + Gaussian(random);
            return string.Create(CultureInfo.InvariantCulture, $"{(i % 50 == 7 ? "" : rain.ToString(CultureInfo.InvariantCulture))},{temperature:0.00},{alarm},{y:0.000}");
        }, "rain,temperature,alarm,y");
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static readonly PreprocessOptions AllTrain = new() { ValidationFraction = 0, TestFraction = 0 };

    private static JobSpec Spec => new() { Target = "y", Task = TaskKind.Regression, Training = new TrainingSettings { Shards = 1, Seed = 7 } };

    [Fact]
    public void A_long_tailed_column_is_log_compressed_and_the_others_are_not()
    {
        using var run = new PreprocessTestRun(Weather(), Spec, AllTrain);
        var rain = run.Result.Transform.Columns.Single(c => c.Name == "rain");
        Assert.Equal(ColumnTransform.LogCompressed, rain.Encoding);
        Assert.Equal(0, rain.LogShift); // the driest day
        Assert.InRange(rain.LogUnit, 0.1, 1); // the smallest rains, not the mean or the unit of the file
        Assert.StartsWith("long right tail", run.Column("rain").Reason, StringComparison.Ordinal);

        Assert.Null(run.Result.Transform.Columns.Single(c => c.Name == "temperature").Encoding);
        Assert.Null(run.Result.Transform.Columns.Single(c => c.Name == "alarm").Encoding); // skewed, but two values
        Assert.Null(run.Column("temperature").Reason);
    }

    [Fact]
    public async Task Compressed_training_features_are_standardised_imputed_rows_included()
    {
        using var run = new PreprocessTestRun(Weather(), Spec, AllTrain);
        var shard = await ShardFile.ReadFileAsync(Assert.Single(run.Result.ShardPaths));
        var rain = run.Result.Transform.FeatureNames().ToList().IndexOf("rain");
        var values = Enumerable.Range(0, shard.Rows).Select(r => (double)shard.Features[(r * shard.FeatureCount) + rain]).ToList();
        var mean = values.Average();
        var std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        Assert.Equal(2000, values.Count);
        Assert.InRange(mean, -1e-4, 1e-4);
        Assert.InRange(std, 1 - 1e-4, 1 + 1e-4);

        // A dry day and the lightest rain are far apart in the features, as the target says they should be; z-scored
        // as is, the two would be under 0.1 standard deviation apart.
        var transform = run.Result.Transform;
        var dry = transform.Apply(new Dictionary<string, string?> { ["rain"] = "0" })[rain];
        var drizzle = transform.Apply(new Dictionary<string, string?> { ["rain"] = "0.5" })[rain];
        Assert.True(drizzle - dry > 0.3, $"dry {dry}, drizzle {drizzle}");
    }

    [Fact]
    public void Text_and_json_rows_encode_a_compressed_column_alike()
    {
        using var run = new PreprocessTestRun(Weather(), Spec, AllTrain);
        var transform = FittedTransform.FromJson(run.Result.Transform.ToJson());
        var json = System.Text.Json.JsonDocument.Parse("""{"rain": 12.5, "temperature": 20, "alarm": 0}""").RootElement;
        var text = new Dictionary<string, string?> { ["rain"] = "12.5", ["temperature"] = "20", ["alarm"] = "0" };
        Assert.Equal(transform.Apply(text), transform.Apply(json));
        Assert.Equal(run.Result.Transform.Apply(text), transform.Apply(text)); // the saved JSON keeps the compression
    }
}
