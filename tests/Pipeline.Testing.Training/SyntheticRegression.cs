using Pipeline.Tabular.Shards;

namespace Pipeline.Testing.Training;

/// <summary>The seed workload in small: y = x·w + 0.3 + N(0, 0.5²) with x ~ N(0, 1); the best possible MSE is 0.25.</summary>
public static class SyntheticRegression
{
    public const int Features = 5;
    private static readonly float[] Weights = [1.5f, -2f, 0.7f, 3f, -0.4f];

    public static (float[] X, float[] Y) Generate(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * Features];
        var y = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            double sum = 0.3;
            for (var j = 0; j < Features; j++)
            {
                var v = Gaussian(random);
                x[(i * Features) + j] = (float)v;
                sum += v * Weights[j];
            }

            y[i] = (float)(sum + (0.5 * Gaussian(random)));
        }

        return (x, y);
    }

    /// <summary>Writes rows [from, to) as a shard file in memory.</summary>
    public static byte[] Shard(float[] x, float[] y, int from, int to)
    {
        using var buffer = new MemoryStream();
        using (var writer = new ShardFileWriter(buffer, Features, outputs: 1, task: 1))
        {
            for (var i = from; i < to; i++)
            {
                writer.WriteRow(x.AsSpan(i * Features, Features), y[i]);
            }

            writer.Complete();
        }

        return buffer.ToArray();
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
