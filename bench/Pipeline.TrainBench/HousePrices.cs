using Pipeline.Testing.Training;

namespace Pipeline.TrainBench;

/// <summary>
/// Synthetic house prices shaped like the seed's example: area, rooms, age, distance to the centre and a quality
/// grade, with a price that is mostly linear in them plus interactions and noise. Features and price are
/// standardised (as Preprocess would), so the MSE reads in units of the price's variance.
/// </summary>
internal static class HousePrices
{
    public const int Features = 5;

    public static TrainingData Generate(int rows, int validationRows, int seed)
    {
        var total = rows + validationRows;
        var random = new Random(seed);
        var x = new float[total * Features];
        var y = new float[total];
        for (var i = 0; i < total; i++)
        {
            var area = Math.Max(20, 120 + (45 * Gaussian(random)));
            var rooms = Math.Clamp(Math.Round(area / 35) + random.Next(-1, 2), 1, 8);
            var age = random.NextDouble() * 80;
            var distance = random.NextDouble() * 30;
            var quality = random.Next(1, 11);
            var price = (2_800 * area) + (9_000 * rooms) - (900 * age) - (5_000 * distance) + (14_000 * quality)
                + (60 * area * quality / 10) - (0.4 * distance * distance * 100) + (30_000 * Gaussian(random));
            double[] row = [area, rooms, age, distance, quality];
            for (var j = 0; j < Features; j++)
            {
                x[(i * Features) + j] = (float)row[j];
            }

            y[i] = (float)price;
        }

        Standardise(x, y, rows);
        return new TrainingData(x, y, rows, validationRows);
    }

    // Statistics from the training rows only, applied to all rows.
    private static void Standardise(float[] x, float[] y, int trainRows)
    {
        for (var j = 0; j <= Features; j++)
        {
            double sum = 0, sumSq = 0;
            for (var i = 0; i < trainRows; i++)
            {
                double v = j < Features ? x[(i * Features) + j] : y[i];
                sum += v;
                sumSq += v * v;
            }

            var mean = sum / trainRows;
            var std = Math.Sqrt(Math.Max((sumSq / trainRows) - (mean * mean), 1e-12));
            var total = y.Length;
            for (var i = 0; i < total; i++)
            {
                if (j < Features)
                {
                    x[(i * Features) + j] = (float)((x[(i * Features) + j] - mean) / std);
                }
                else
                {
                    y[i] = (float)((y[i] - mean) / std);
                }
            }
        }
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * random.NextDouble());
    }
}
