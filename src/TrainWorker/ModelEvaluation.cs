using Pipeline.Contracts;
using Pipeline.Numerics.Layers;
using Pipeline.Platform.Data;

namespace Pipeline.TrainWorker;

/// <summary>Metrics of a model on a split: regression MSE/RMSE/MAE/R², classification accuracy/log-loss.</summary>
public static class ModelEvaluation
{
    /// <summary>Returns the loss the job optimises (MSE or log-loss) and the task's metrics.</summary>
    public static (double Loss, ModelMetrics Metrics) Evaluate(Network network, ShardData data, TaskKind task)
    {
        var outputs = network.Spec.Outputs;
        var predictions = new float[(long)data.Rows * outputs];
        network.Predict(data.Features, data.Rows, predictions);
        return task == TaskKind.Classification
            ? Classification(predictions, data.Targets, data.Rows, outputs)
            : Regression(predictions, data.Targets, data.Rows);
    }

    public static (double Loss, ModelMetrics Metrics) Regression(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual, int rows)
    {
        double sse = 0, sae = 0, mean = 0;
        for (var i = 0; i < rows; i++)
        {
            mean += actual[i];
        }

        mean /= Math.Max(rows, 1);
        double sst = 0;
        for (var i = 0; i < rows; i++)
        {
            var e = (double)predicted[i] - actual[i];
            sse += e * e;
            sae += Math.Abs(e);
            var d = actual[i] - mean;
            sst += d * d;
        }

        var mse = sse / Math.Max(rows, 1);
        return (mse, new ModelMetrics
        {
            Mse = mse,
            Rmse = Math.Sqrt(mse),
            Mae = sae / Math.Max(rows, 1),
            R2 = sst > 0 ? 1 - (sse / sst) : 0,
        });
    }

    /// <summary>The network's outputs are logits; probabilities come from a numerically stable softmax.</summary>
    public static (double Loss, ModelMetrics Metrics) Classification(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels, int rows, int classes)
    {
        double logLoss = 0;
        var correct = 0;
        for (var i = 0; i < rows; i++)
        {
            var row = logits.Slice(i * classes, classes);
            var max = float.NegativeInfinity;
            var argmax = 0;
            for (var c = 0; c < classes; c++)
            {
                if (row[c] > max)
                {
                    max = row[c];
                    argmax = c;
                }
            }

            double sum = 0;
            for (var c = 0; c < classes; c++)
            {
                sum += Math.Exp(row[c] - max);
            }

            var label = (int)labels[i];
            logLoss -= row[label] - max - Math.Log(sum);
            correct += argmax == label ? 1 : 0;
        }

        var loss = logLoss / Math.Max(rows, 1);
        return (loss, new ModelMetrics { Accuracy = (double)correct / Math.Max(rows, 1), LogLoss = loss });
    }
}
