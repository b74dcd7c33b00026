using Pipeline.Contracts;
using Pipeline.Tabular.Shards;

namespace Pipeline.Tabular.Metrics;

/// <summary>
/// The predictor a model must beat to be worth serving: the training mean for regression, the training class
/// frequencies for classification (it predicts the majority class, and the class prior as probabilities for the
/// log-loss). Scored with the same formulas as the model, on the same split.
/// </summary>
public static class TrivialPredictor
{
    public static ModelMetrics Evaluate(ShardData train, ShardData test, TaskKind task)
    {
        ArgumentNullException.ThrowIfNull(train);
        var summary = new TargetSummary();
        for (var i = 0; i < train.Rows; i++)
        {
            summary.Add(train.Targets[i], task == TaskKind.Classification, train.Outputs);
        }

        return Evaluate(summary, test, task);
    }

    public static ModelMetrics Evaluate(TargetSummary train, ShardData test, TaskKind task)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (task != TaskKind.Classification)
        {
            var predictions = new float[test.Rows];
            Array.Fill(predictions, (float)train.Mean);
            return ModelEvaluation.Regression(predictions, test.Targets, test.Rows).Metrics;
        }

        var classes = test.Outputs;
        // Laplace smoothing keeps a class unseen in training from an infinite log-loss.
        var logPrior = Enumerable.Range(0, classes).Select(c => (float)Math.Log((train.CountOf(c) + 1.0) / (train.Count + classes))).ToArray();
        var logits = new float[(long)test.Rows * classes];
        for (var i = 0; i < test.Rows; i++)
        {
            logPrior.CopyTo(logits.AsSpan(i * classes, classes));
        }

        return ModelEvaluation.Classification(logits, test.Targets, test.Rows, classes).Metrics;
    }
}

/// <summary>The training targets as the trivial predictor needs them: their mean, and the count of each class.</summary>
public sealed class TargetSummary
{
    private long[] _classCounts = [];
    private double _sum;

    public long Count { get; private set; }

    public double Mean => Count == 0 ? 0 : _sum / Count;

    public long CountOf(int label) => label < _classCounts.Length ? _classCounts[label] : 0;

    public void Add(float target, bool classification, int classes)
    {
        Count++;
        _sum += target;
        if (classification)
        {
            if (_classCounts.Length < classes)
            {
                Array.Resize(ref _classCounts, classes);
            }

            _classCounts[(int)target]++;
        }
    }
}
