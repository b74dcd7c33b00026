using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Contracts;
using Pipeline.Tabular.Shards;

namespace Pipeline.Deploy.Baseline;

/// <summary>What the baseline achieved, for the model card.</summary>
public sealed record BaselineResult(string Trainer, string TrainedOn, long TrainRows, ModelMetrics? Test, string? Error);

/// <summary>
/// An ML.NET FastTree model trained on the same preprocessed features (trees do not care about the z-scoring) and
/// evaluated on the same test split, so the model card shows whether the neural model beats a strong classic
/// baseline. Classification uses one-versus-all FastTree.
/// </summary>
public static class FastTreeBaseline
{
    public static BaselineResult TrainAndEvaluate(ShardData train, string trainedOn, ShardData test, TaskKind task, int maxRows, int seed)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var trainer = task == TaskKind.Classification ? "ML.NET FastTree (one-versus-all)" : "ML.NET FastTree regression";
        var ml = new MLContext(seed);
        var rows = Math.Min(train.Rows, Math.Max(maxRows, 1));
        if (rows < train.Rows)
        {
            // A uniform random sample: the first rows of a file sorted by date or by target would bias the baseline.
            trainedOn = $"{trainedOn} (uniform random sample of {rows:N0} of {train.Rows:N0} rows)";
            train = Sample(train, rows, seed);
        }

        var trainView = Load(ml, train, rows);
        var testView = Load(ml, test, test.Rows);
        if (task == TaskKind.Classification)
        {
            var estimator = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(numberOfLeaves: 20, numberOfTrees: 100)));
            var model = estimator.Fit(trainView);
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(testView));
            return new BaselineResult(trainer, trainedOn, rows, new ModelMetrics { Accuracy = metrics.MicroAccuracy, LogLoss = metrics.LogLoss }, null);
        }
        else
        {
            var model = ml.Regression.Trainers.FastTree(numberOfLeaves: 20, numberOfTrees: 100).Fit(trainView);
            var metrics = ml.Regression.Evaluate(model.Transform(testView));
            return new BaselineResult(trainer, trainedOn, rows, new ModelMetrics
            {
                Mse = metrics.MeanSquaredError,
                Rmse = metrics.RootMeanSquaredError,
                Mae = metrics.MeanAbsoluteError,
                R2 = metrics.RSquared,
            }, null);
        }
    }

    /// <summary><paramref name="rows"/> rows drawn without replacement (partial Fisher-Yates, seeded), in their original order.</summary>
    internal static ShardData Sample(ShardData data, int rows, int seed)
    {
        var indices = Enumerable.Range(0, data.Rows).ToArray();
        var random = new Random(seed);
        for (var i = 0; i < rows; i++)
        {
            var j = random.Next(i, data.Rows);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }

        Array.Sort(indices, 0, rows);
        var width = data.FeatureCount;
        var features = new float[(long)rows * width];
        var targets = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            data.Features.AsSpan(indices[i] * width, width).CopyTo(features.AsSpan(i * width));
            targets[i] = data.Targets[indices[i]];
        }

        return data with { Features = features, Targets = targets, Rows = rows };
    }

    private static IDataView Load(MLContext ml, ShardData data, int rows)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.FeatureCount);
        return ml.Data.LoadFromEnumerable(Rows(data, rows), schema);
    }

    private static IEnumerable<Row> Rows(ShardData data, int rows)
    {
        for (var i = 0; i < rows; i++)
        {
            yield return new Row { Features = data.Features.AsSpan(i * data.FeatureCount, data.FeatureCount).ToArray(), Label = data.Targets[i] };
        }
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }
}
