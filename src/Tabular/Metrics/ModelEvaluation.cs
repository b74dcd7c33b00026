using Pipeline.Contracts;
using Pipeline.Numerics.Layers;
using Pipeline.Tabular.Shards;

namespace Pipeline.Tabular.Metrics;

/// <summary>Metrics of a model on a split: regression MSE/RMSE/MAE/R², classification accuracy/log-loss.</summary>
public static class ModelEvaluation
{
    /// <summary>Returns the loss the job optimises (MSE or log-loss) and the task's metrics.</summary>
    public static (double Loss, ModelMetrics Metrics) Evaluate(Network network, ShardData data, TaskKind task)
    {
        if (task != TaskKind.Classification)
        {
            var predictions = new float[(long)data.Rows * network.Spec.Outputs];
            network.Predict(data.Features, data.Rows, predictions);
            return Regression(predictions, data.Targets, data.Rows);
        }

        return Classification(LogProbabilities(network, data), data.Targets, data.Rows, network.Spec.Outputs);
    }

    /// <summary>
    /// A softmax classifier's log-probabilities for every row: logits with the same softmax (each row differs from
    /// the network's own logits by a constant), which is what the log-loss and calibration take.
    /// </summary>
    public static float[] LogProbabilities(Network network, ShardData data)
    {
        var values = new float[(long)data.Rows * network.Spec.Outputs];
        network.Predict(data.Features, data.Rows, values);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = MathF.Log(Math.Max(values[i], 1e-30f));
        }

        return values;
    }

    /// <summary>
    /// Targets as the trainer takes them: the value for regression; for classification, shards hold the class
    /// index and the softmax cross-entropy wants one row of C values per sample (one-hot).
    /// </summary>
    public static float[] TrainingTargets(ShardData data)
    {
        if (data.Task != (int)TaskKind.Classification)
        {
            return data.Targets;
        }

        var classes = data.Outputs;
        var oneHot = new float[(long)data.Rows * classes];
        for (var i = 0; i < data.Rows; i++)
        {
            var label = (int)data.Targets[i];
            if (label < 0 || label >= classes)
            {
                throw new InvalidDataException($"row {i} of the shard has class {label}, outside 0..{classes - 1}");
            }

            oneHot[((long)i * classes) + label] = 1f;
        }

        return oneHot;
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
        var truePositives = new long[classes];
        var predicted = new long[classes];
        var actual = new long[classes];
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

            var label = (int)labels[i];
            if (float.IsPositiveInfinity(max))
            {
                // Overflowed logits: the infinite ones share the probability (as Network.StableSoftMax answers).
                logLoss += row[label] == max ? Math.Log(row.Count(max)) : double.PositiveInfinity;
            }
            else
            {
                double sum = 0;
                for (var c = 0; c < classes; c++)
                {
                    sum += Math.Exp(row[c] - max);
                }

                logLoss -= row[label] - max - Math.Log(sum);
            }

            correct += argmax == label ? 1 : 0;
            truePositives[label] += argmax == label ? 1 : 0;
            predicted[argmax]++;
            actual[label]++;
        }

        var loss = logLoss / Math.Max(rows, 1);
        return (loss, new ModelMetrics { Accuracy = (double)correct / Math.Max(rows, 1), LogLoss = loss, MacroF1 = MacroF1(truePositives, predicted, actual) });
    }

    /// <summary>Mean F1 over the classes present in the labels or the predictions (2·TP / (predicted + actual)).</summary>
    private static double MacroF1(long[] truePositives, long[] predicted, long[] actual)
    {
        double sum = 0;
        var classes = 0;
        for (var c = 0; c < truePositives.Length; c++)
        {
            if (predicted[c] + actual[c] == 0)
            {
                continue;
            }

            sum += 2.0 * truePositives[c] / (predicted[c] + actual[c]);
            classes++;
        }

        return classes == 0 ? 0 : sum / classes;
    }
}
