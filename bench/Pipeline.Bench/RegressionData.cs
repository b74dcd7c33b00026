namespace Pipeline.Bench;

/// <summary>
/// The benchmark workloads' data: features ~ N(0,1), y = x·w + 0.3 + N(0, 0.5²) (best possible MSE 0.25).
/// The weights match bench/reference_mlp.py so both sides learn the same function.
/// </summary>
internal static class RegressionData
{
    public static float[] Weights(int features) =>
        features == 5 ? [0.5f, -1.2f, 0.8f, 2.0f, -0.3f] : [.. Enumerable.Range(0, features).Select(j => ((j % 7) - 3) / 4f)];

    public static (float[] Features, float[] Targets) Generate(int rows, int featureCount, ulong seed)
    {
        var w = Weights(featureCount);
        var random = new Pipeline.Numerics.DeterministicRandom(seed);
        var features = new float[rows * featureCount];
        var targets = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            double y = 0.3;
            for (int j = 0; j < featureCount; j++)
            {
                float x = (float)random.NextGaussian();
                features[(r * featureCount) + j] = x;
                y += x * w[j];
            }

            targets[r] = (float)(y + (0.5 * random.NextGaussian()));
        }

        return (features, targets);
    }
}
