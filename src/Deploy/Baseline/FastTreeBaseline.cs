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
    public static BaselineResult TrainAndEvaluate(ShardData train, string trainedOn, ShardData test, TaskKind task, int seed)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var trainer = task == TaskKind.Classification ? "ML.NET FastTree (one-versus-all)" : "ML.NET FastTree regression";
        var ml = new MLContext(seed);
        var rows = train.Rows;
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
