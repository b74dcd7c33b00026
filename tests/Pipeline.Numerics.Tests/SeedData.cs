namespace Pipeline.Numerics.Tests;

/// <summary>The seed workload: 5 features ~ N(0,1), y = x·w + 0.3 + N(0, 0.5²).</summary>
internal static class SeedData
{
    public static readonly float[] Weights = [0.5f, -1.2f, 0.8f, 2.0f, -0.3f];

    public static (float[] Features, float[] Targets) Generate(int rows, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var features = new float[rows * 5];
        var targets = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            double y = 0.3;
            for (int j = 0; j < 5; j++)
            {
                float x = (float)random.NextGaussian();
                features[(r * 5) + j] = x;
                y += x * Weights[j];
            }

            targets[r] = (float)(y + (0.5 * random.NextGaussian()));
        }

        return (features, targets);
    }
}
