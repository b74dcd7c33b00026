using System.Globalization;
using Pipeline.Contracts;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Schema;
using Pipeline.Tabular.Shards;
using Pipeline.Preprocess;
using Pipeline.Tabular.Transforms;

namespace Pipeline.Ingest.Tests;

public class PreprocessTests
{
    private static readonly string[] Cities = ["Paris", "Lyon", "Nice"];

    private static JobSpec Spec(TaskKind task, int shards = 3, string target = "y") =>
        new() { Target = target, Task = task, Training = new TrainingSettings { Shards = shards, Seed = 7 } };

    // 200 rows: id (row id), size (numeric, some missing), city (3 categories), constant, sold (date), flag (bool), y.
    private static string Houses(int rows = 200, Func<int, string>? target = null) => PreprocessTestRun.Rows(
        rows,
        i => string.Join(',',
            i + 1,
            i % 10 == 3 ? string.Empty : (50 + (i % 37)).ToString(CultureInfo.InvariantCulture),
            Cities[i % 3],
            "same",
            new DateTime(2020, 1, 1).AddDays(i * 3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            i % 4 == 0 ? "yes" : "no",
            target?.Invoke(i) ?? ((i * 1.5) + 3).ToString(CultureInfo.InvariantCulture)),
        "id,size,city,const,sold,flag,y");

    [Fact]
    public void Every_column_decision_is_reported()
    {
        using var run = new PreprocessTestRun(Houses(), Spec(TaskKind.Regression));
        // Increasing whole numbers are kept: a code or year in a sorted file carries signal (issue 16).
        Assert.Equal("kept", run.Column("id").Decision);
        Assert.Equal("constant: every value is 'same'", run.Column("const").Reason);
        Assert.Equal("kept", run.Column("size").Decision);
        Assert.Equal(ColumnKind.Numeric, run.Column("size").Kind);
        Assert.Equal(20, run.Column("size").Imputed);
        Assert.StartsWith("mean ", run.Column("size").ImputedWith, StringComparison.Ordinal);
        Assert.Equal(3, run.Column("city").Categories);
        Assert.Equal(ColumnKind.Date, run.Column("sold").Kind);
        Assert.Equal(7, run.Column("sold").Features);
        Assert.Equal(ColumnKind.Boolean, run.Column("flag").Kind);
        Assert.Equal("target", run.Column("y").Decision);
        Assert.Equal(
            ["id", "size", "city=Lyon", "city=Nice", "city=Paris", "sold:days", "sold:month-sin", "sold:month-cos", "sold:dayofweek-sin", "sold:dayofweek-cos", "sold:time-sin", "sold:time-cos", "flag"],
            run.Result.Transform.FeatureNames());
    }

    [Fact]
    public void Identifier_text_is_dropped_and_a_many_valued_column_keeps_its_most_frequent_categories_and_other()
    {
        // code: c0..c79, where c0..c9 are three times as frequent as the rest.
        var csv = PreprocessTestRun.Rows(300, i => $"u{i},c{(i % 3 == 0 ? i % 10 : i % 80)},{i % 7},{i % 2}", "user,code,x,y");
        using var run = new PreprocessTestRun(csv, Spec(TaskKind.Classification));
        Assert.Equal("identifier-like: every value is distinct (and not free text)", run.Column("user").Reason);
        var code = run.Column("code");
        Assert.Equal("kept", code.Decision);
        Assert.StartsWith("80 categories: the 50 most frequent (", code.Reason, StringComparison.Ordinal);
        var transform = run.Result.Transform.Columns.Single(c => c.Name == "code");
        Assert.Equal(ColumnTransform.TopCategoriesAndOther, transform.Encoding);
        Assert.Equal(51, transform.FeatureCount);
        Assert.Subset(transform.Categories!.ToHashSet(), Enumerable.Range(0, 10).Select(i => $"c{i}").ToHashSet());

        // A kept category has its own feature; any other value, seen in training or not, is "other".
        var kept = run.Result.Transform.Apply(new Dictionary<string, string?> { ["code"] = "c3", ["x"] = "1" });
        var unseen = run.Result.Transform.Apply(new Dictionary<string, string?> { ["code"] = "zzz", ["x"] = "1" });
        var names = run.Result.Transform.FeatureNames().ToList();
        Assert.Equal(1f, kept[names.IndexOf("code=c3")]);
        Assert.Equal(0f, kept[names.IndexOf("code=(other)")]);
        Assert.Equal(1f, unseen[names.IndexOf("code=(other)")]);
        Assert.Equal(1f, unseen.Where((_, i) => names[i].StartsWith("code=", StringComparison.Ordinal)).Sum());
    }

    [Fact]
    public void Free_text_is_hashed_into_token_buckets_not_dropped()
    {
        string[] words = ["red", "green", "blue", "big", "small", "old", "new", "fast", "slow", "cheap"];
        var csv = PreprocessTestRun.Rows(300, i => $"\"{words[i % 10]} {words[(i / 10) % 10]} car number {i}\",{i % 7},{i % 2}", "title,x,y");
        using var run = new PreprocessTestRun(csv, Spec(TaskKind.Classification));
        var title = run.Result.Transform.Columns.Single(c => c.Name == "title");
        Assert.Equal(ColumnTransform.HashedText, title.Encoding);
        Assert.StartsWith("free text (5 words per value", run.Column("title").Reason, StringComparison.Ordinal);

        // The same words give the same buckets whatever the case and punctuation; different words differ.
        var a = run.Result.Transform.Apply(new Dictionary<string, string?> { ["title"] = "Red, BIG car!", ["x"] = "1" });
        var b = run.Result.Transform.Apply(new Dictionary<string, string?> { ["title"] = "red big car", ["x"] = "1" });
        var c = run.Result.Transform.Apply(new Dictionary<string, string?> { ["title"] = "slow green bus", ["x"] = "1" });
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(3, a.Take(title.FeatureCount).Count(v => v == 1f));
    }

    [Fact]
    public async Task Rows_without_target_are_dropped_and_shards_are_balanced()
    {
        using var run = new PreprocessTestRun(Houses(200, i => i % 20 == 0 ? string.Empty : (i * 2).ToString(CultureInfo.InvariantCulture)), Spec(TaskKind.Regression));
        var profile = run.Result.Profile;
        Assert.Equal(200, profile.Rows);
        Assert.Equal(10, profile.RowsDroppedMissingTarget);
        Assert.Equal(190, profile.TrainRows + profile.ValidationRows + profile.TestRows);
        Assert.InRange(profile.ValidationRows, 17, 21);
        Assert.InRange(profile.TestRows, 17, 21);
        Assert.Equal(profile.TrainRows, profile.ShardRows.Sum());
        Assert.True(profile.ShardRows.Max() - profile.ShardRows.Min() <= 1);

        long total = 0;
        foreach (var path in run.Result.ShardPaths)
        {
            var shard = await ShardFile.ReadFileAsync(path);
            Assert.Equal(run.Result.Transform.FeatureCount, shard.FeatureCount);
            Assert.Equal(1, shard.Outputs);
            total += shard.Rows;
        }

        Assert.Equal(profile.TrainRows, total);
    }

    [Fact]
    public async Task Scaling_is_fitted_on_the_training_split_only()
    {
        var csv = PreprocessTestRun.Rows(1000, i => $"{Math.Sin(i) * 100},{(i * 7) % 13},{i * 0.5}", "a,b,y");
        using var run = new PreprocessTestRun(csv, Spec(TaskKind.Regression, shards: 2));
        var train = new List<float>();
        foreach (var path in run.Result.ShardPaths)
        {
            var shard = await ShardFile.ReadFileAsync(path);
            for (var r = 0; r < shard.Rows; r++)
            {
                train.Add(shard.Features[r * shard.FeatureCount]);
            }
        }

        var mean = train.Average();
        var std = Math.Sqrt(train.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -1e-4, 1e-4);
        Assert.InRange(std, 1 - 1e-4, 1 + 1e-4);

        var validation = await ShardFile.ReadFileAsync(run.Result.ValidationPath);
        var validationMean = Enumerable.Range(0, validation.Rows).Average(r => validation.Features[r * validation.FeatureCount]);
        Assert.NotEqual(0, validationMean, 4);
    }

    [Fact]
    public async Task Classification_split_is_stratified_and_targets_are_class_indices()
    {
        // 90% class "a", 10% class "b": each class is split 80/10/10 on its own.
        var csv = PreprocessTestRun.Rows(1000, i => $"{i % 17},{(i % 10 == 0 ? "b" : "a")}", "x,label");
        using var run = new PreprocessTestRun(csv, Spec(TaskKind.Classification, shards: 4, target: "label"));
        Assert.Equal(["a", "b"], run.Result.Transform.Classes);
        Assert.Equal(2, run.Result.Transform.Outputs);
        var validation = await ShardFile.ReadFileAsync(run.Result.ValidationPath);
        var test = await ShardFile.ReadFileAsync(run.Result.TestPath);
        Assert.Equal(2, validation.Outputs);
        Assert.InRange(validation.Targets.Count(t => t == 1f), 9, 11);
        Assert.InRange(test.Targets.Count(t => t == 1f), 9, 11);
        Assert.InRange(validation.Rows, 99, 101);
    }

    [Fact]
    public void The_same_seed_gives_the_same_files()
    {
        using var a = new PreprocessTestRun(Houses(), Spec(TaskKind.Regression));
        using var b = new PreprocessTestRun(Houses(), Spec(TaskKind.Regression));
        Assert.Equal(File.ReadAllBytes(a.Result.ShardPaths[1]), File.ReadAllBytes(b.Result.ShardPaths[1]));
        Assert.Equal(a.Result.Transform.ToJson(), b.Result.Transform.ToJson());
    }

    [Theory]
    [InlineData(NumericImputation.Median, "median 3.5")]
    [InlineData(NumericImputation.MostFrequent, "most frequent 2")]
    [InlineData(NumericImputation.Mean, "mean 20.75")]
    public void Numeric_imputation_is_configurable(NumericImputation how, string expected)
    {
        // 2, 2, 5, 74 and a gap, repeated; all rows train: mean 20.75, median (2 + 5) / 2, most frequent 2.
        var values = new[] { "2", "2", "5", "74", string.Empty };
        var csv = PreprocessTestRun.Rows(500, i => $"{values[i % 5]},{i % 3},{i}", "a,b,y");
        var options = new PreprocessOptions { NumericImputation = how, ValidationFraction = 0, TestFraction = 0 };
        using var run = new PreprocessTestRun(csv, Spec(TaskKind.Regression, shards: 1), options);
        Assert.Equal(100, run.Column("a").Imputed);
        Assert.Equal(expected, run.Column("a").ImputedWith);
    }

    [Fact]
    public async Task The_saved_transform_reproduces_the_validation_features_from_raw_rows()
    {
        using var run = new PreprocessTestRun(Houses(), Spec(TaskKind.Regression));
        var transform = FittedTransform.FromJson(await File.ReadAllTextAsync(run.Result.TransformPath));
        Assert.Equal(run.Result.Transform.FeatureNames(), transform.FeatureNames());
        var validation = await ShardFile.ReadFileAsync(run.Result.ValidationPath);
        var expected = ValidationRowsByTarget(validation);

        using var source = CsvSource.OpenFile(run.InputPath, new CsvLimits());
        var matched = 0;
        while (source.MoveNext())
        {
            var row = new Dictionary<string, string?>();
            for (var i = 0; i < source.Columns.Count; i++)
            {
                row[source.Columns[i]] = source.Current[i].ToString();
            }

            // Shards hold the standardised target: find the row by its encoded value.
            var y = transform.EncodeTarget(double.Parse(row["y"]!, CultureInfo.InvariantCulture));
            if (expected.TryGetValue(y, out var features))
            {
                Assert.Equal(features, transform.Apply(row));
                matched++;
            }
        }

        Assert.Equal(validation.Rows, matched);
    }

    [Fact]
    public void Json_rows_apply_like_text_rows()
    {
        using var run = new PreprocessTestRun(Houses(), Spec(TaskKind.Regression));
        var transform = run.Result.Transform;
        var json = System.Text.Json.JsonDocument.Parse("""{"size": 61, "city": "Lyon", "sold": "2020-03-04", "flag": true, "id": 5}""").RootElement;
        var text = new Dictionary<string, string?> { ["size"] = "61", ["city"] = "Lyon", ["sold"] = "2020-03-04", ["flag"] = "yes", ["id"] = "5" };
        Assert.Equal(transform.Apply(text), transform.Apply(json));
        var missing = transform.Apply(new Dictionary<string, string?>());
        Assert.Equal(transform.FeatureCount, missing.Length);
        Assert.Equal(1f, missing[transform.FeatureNames().ToList().IndexOf("city=" + transform.Columns.Single(c => c.Name == "city").ImputeCategory)]);
    }

    [Fact]
    public void Unusable_data_fails_with_a_reason()
    {
        var csv = PreprocessTestRun.Rows(50, i => $"1,{i % 2}", "a,y");
        var error = Assert.Throws<DatasetValidationException>(() => new PreprocessTestRun(csv, Spec(TaskKind.Classification)));
        Assert.Equal("input.csv: no feature column is left after cleaning: 'a' constant: every value is '1'.", error.Message);
    }

    private static Dictionary<float, float[]> ValidationRowsByTarget(ShardData shard)
    {
        var rows = new Dictionary<float, float[]>();
        for (var r = 0; r < shard.Rows; r++)
        {
            rows[shard.Targets[r]] = shard.Features.AsSpan(r * shard.FeatureCount, shard.FeatureCount).ToArray();
        }

        return rows;
    }

    [Fact]
    public void Regression_targets_are_standardised_on_the_training_split_and_decoded_back()
    {
        using var run = new PreprocessTestRun(Houses(), Spec(TaskKind.Regression));
        var transform = run.Result.Transform;
        var scale = Assert.IsType<FeatureScale>(transform.TargetScale);
        Assert.True(scale.Std > 0);
        Assert.Equal(0f, transform.EncodeTarget(scale.Mean), 5);
        Assert.Equal(1234.5, transform.DecodeTarget(transform.EncodeTarget(1234.5)), 3);
    }
}
