using Pipeline.Contracts;
using Pipeline.Numerics.Layers;
using Pipeline.Platform.Data;
using Pipeline.TrainWorker;

namespace Pipeline.Deploy.Deployment;

/// <summary>
/// Test-split metrics with the same formulas as training's validation metrics. Regression targets are not
/// standardised by Preprocess (<see cref="Preprocess.Transforms.FittedTransform.EncodeTarget"/> keeps the raw
/// number), so predictions and metrics are in the target's own units with nothing to invert.
/// </summary>
public static class TestEvaluation
{
    public static ModelMetrics Evaluate(Network network, ShardData test, TaskKind task)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(test);
        var outputs = network.Spec.Outputs;
        var predictions = new float[(long)test.Rows * outputs];
        network.Predict(test.Features, test.Rows, predictions);
        if (task != TaskKind.Classification)
        {
            return ModelEvaluation.Regression(predictions, test.Targets, test.Rows).Metrics;
        }

        // Predict already applies softmax, while ModelEvaluation.Classification expects logits: log-probabilities are
        // logits whose softmax is the same distribution, so the log-loss comes out right.
        for (var i = 0; i < predictions.Length; i++)
        {
            predictions[i] = MathF.Log(Math.Max(predictions[i], 1e-30f));
        }

        return ModelEvaluation.Classification(predictions, test.Targets, test.Rows, outputs).Metrics;
    }
}
