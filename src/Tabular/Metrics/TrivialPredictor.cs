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
        ArgumentNullException.ThrowIfNull(test);
        if (task != TaskKind.Classification)
        {
            double sum = 0;
            for (var i = 0; i < train.Rows; i++)
            {
                sum += train.Targets[i];
            }

            var predictions = new float[test.Rows];
            Array.Fill(predictions, (float)(sum / Math.Max(train.Rows, 1)));
            return ModelEvaluation.Regression(predictions, test.Targets, test.Rows).Metrics;
        }

        var classes = test.Outputs;
        var counts = new double[classes];
        for (var i = 0; i < train.Rows; i++)
        {
            counts[(int)train.Targets[i]]++;
        }

        // Laplace smoothing keeps a class unseen in training from an infinite log-loss.
        var logPrior = counts.Select(c => (float)Math.Log((c + 1) / (train.Rows + classes))).ToArray();
        var logits = new float[(long)test.Rows * classes];
        for (var i = 0; i < test.Rows; i++)
        {
            logPrior.CopyTo(logits.AsSpan(i * classes, classes));
        }

        return ModelEvaluation.Classification(logits, test.Targets, test.Rows, classes).Metrics;
    }
}
