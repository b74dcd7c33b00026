namespace Pipeline.Numerics.Tests;

/// <summary>Textbook triple-loop multiply in double precision: the yardstick the kernels are checked against.</summary>
internal static class NaiveReference
{
    public static (double[] Values, double[] Magnitudes) Multiply(
        float[] a, float[] b, float[]? initialC, int m, int k, int n, bool transposeA, bool transposeB)
    {
        var values = new double[m * n];
        var magnitudes = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = initialC is null ? 0 : initialC[(i * n) + j];
                double magnitude = Math.Abs(sum);
                for (int p = 0; p < k; p++)
                {
                    double x = transposeA ? a[(p * m) + i] : a[(i * k) + p];
                    double y = transposeB ? b[(j * k) + p] : b[(p * n) + j];
                    sum += x * y;
                    magnitude += Math.Abs(x * y);
                }

                values[(i * n) + j] = sum;
                magnitudes[(i * n) + j] = magnitude;
            }
        }

        return (values, magnitudes);
    }

    public static float[] RandomMatrix(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
