using System.Runtime.CompilerServices;
namespace Pipeline.Numerics.Training;

/// <summary>Loss values and their gradients with respect to the network outputs.</summary>
public static class Losses
{
    /// <summary>Huber's δ: the error size where the loss turns from quadratic to linear.</summary>
    public const float HuberDelta = 1f;

    /// <summary>
    /// Returns the mean loss of <paramref name="outputs"/> (rows × columns, row-major) against
    /// <paramref name="targets"/> (same shape) and writes d(loss)/d(outputs) into <paramref name="gradient"/>
    /// (skipped when it is empty). Sums run in double, in index order, so the value is deterministic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Evaluate(
        LossKind kind, ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int rows, int columns, Span<float> gradient)
    {
        int count = rows * columns;
        if (outputs.Length < count || targets.Length < count)
        {
            throw new ArgumentException($"Outputs and targets need {count} values ({rows}x{columns}).");
        }

        if (count == 0)
        {
            return 0;
        }

        bool wantGradient = !gradient.IsEmpty;
        if (wantGradient && gradient.Length < count)
        {
            throw new ArgumentException($"The gradient needs {count} values.", nameof(gradient));
        }

        double sum = 0;
        float scale = 1f / count;
        switch (kind)
        {
            case LossKind.MeanSquaredError:
                for (int i = 0; i < count; i++)
                {
                    float e = outputs[i] - targets[i];
                    sum += e * e;
                    if (wantGradient)
                    {
                        gradient[i] = 2f * e * scale;
                    }
                }

                break;
            case LossKind.MeanAbsoluteError:
                for (int i = 0; i < count; i++)
                {
                    float e = outputs[i] - targets[i];
                    sum += Math.Abs(e);
                    if (wantGradient)
                    {
                        gradient[i] = (e > 0 ? 1f : e < 0 ? -1f : 0f) * scale;
                    }
                }

                break;
            case LossKind.Huber:
                for (int i = 0; i < count; i++)
                {
                    float e = outputs[i] - targets[i];
                    float magnitude = Math.Abs(e);
                    sum += magnitude <= HuberDelta ? 0.5 * e * e : HuberDelta * (magnitude - (0.5 * HuberDelta));
                    if (wantGradient)
                    {
                        gradient[i] = Math.Clamp(e, -HuberDelta, HuberDelta) * scale;
                    }
                }

                break;
            case LossKind.BinaryCrossEntropyWithLogits:
                for (int i = 0; i < count; i++)
                {
                    // log(1 + e^x) - t·x, written so that neither branch overflows.
                    float x = outputs[i];
                    float t = targets[i];
                    sum += Math.Max(x, 0) - (x * t) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
                    if (wantGradient)
                    {
                        gradient[i] = ((1f / (1f + MathF.Exp(-x))) - t) * scale;
                    }
                }

                break;
            case LossKind.SoftmaxCrossEntropy:
                sum = SoftmaxCrossEntropy(outputs, targets, rows, columns, gradient, wantGradient) * rows;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown loss.");
        }

        return (float)(kind == LossKind.SoftmaxCrossEntropy ? sum / rows : sum / count);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SoftmaxCrossEntropy(
        ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int rows, int columns, Span<float> gradient, bool wantGradient)
    {
        double total = 0;
        float scale = 1f / rows;
        for (int r = 0; r < rows; r++)
        {
            var x = logits.Slice(r * columns, columns);
            var t = targets.Slice(r * columns, columns);
            float max = float.NegativeInfinity;
            foreach (float v in x)
            {
                max = Math.Max(max, v);
            }

            double partition = 0;
            foreach (float v in x)
            {
                partition += Math.Exp(v - max);
            }

            double logPartition = Math.Log(partition) + max;
            float targetSum = SumOf(t); // 1 for one-hot rows; kept general so soft labels differentiate correctly
            for (int j = 0; j < columns; j++)
            {
                total -= t[j] * (x[j] - logPartition);
                if (wantGradient)
                {
                    float probability = (float)Math.Exp(x[j] - logPartition);
                    gradient[(r * columns) + j] = ((probability * targetSum) - t[j]) * scale;
                }
            }
        }

        return total / rows;
    }

    private static float SumOf(ReadOnlySpan<float> values)
    {
        float sum = 0;
        foreach (float v in values)
        {
            sum += v;
        }

        return sum;
    }
}
