using System.Globalization;
using System.Text;

namespace Pipeline.Cli.Demo;

/// <summary>
/// The demo's data set, shaped like the seed's example (numeric features such as area and rooms, a price target,
/// noise) plus the kinds of columns real files have: a yes/no column, a categorical neighbourhood, a sale date and a
/// few missing values. Same seed, same file.
/// </summary>
public static class HousePriceCsv
{
    private static readonly string[] Neighbourhoods = ["centre", "riverside", "hills", "harbour", "suburbs"];
    private static readonly double[] NeighbourhoodPremium = [60_000, 35_000, 20_000, 25_000, 0];

    public static void Write(string path, int rows, int seed)
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16);
        writer.WriteLine("area_m2,rooms,age_years,distance_km,quality,garage,neighbourhood,sold_on,price");
        var start = new DateOnly(2018, 1, 1);
        for (var i = 0; i < rows; i++)
        {
            var area = Math.Max(20, 110 + (40 * Gaussian(random)));
            var rooms = (int)Math.Clamp(Math.Round(area / 30) + random.Next(-1, 2), 1, 9);
            var age = random.NextDouble() * 90;
            var distance = random.NextDouble() * 25;
            var quality = random.Next(1, 11);
            var garage = random.NextDouble() < 0.45;
            var n = random.Next(Neighbourhoods.Length);
            var sold = start.AddDays(random.Next(0, 6 * 365));
            var price = 40_000 + (2_600 * area) + (8_000 * rooms) - (700 * age) - (3_500 * distance) + (12_000 * quality)
                + (garage ? 15_000 : 0) + NeighbourhoodPremium[n] + (45 * area * quality / 10)
                + ((sold.Year - 2018) * 6_000) + (25_000 * Gaussian(random));

            // About 1 % of ages and qualities are unknown, as in real listings.
            var ageText = random.NextDouble() < 0.01 ? "" : age.ToString("F1", CultureInfo.InvariantCulture);
            var qualityText = random.NextDouble() < 0.01 ? "" : quality.ToString(CultureInfo.InvariantCulture);
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{area:F1},{rooms},{ageText},{distance:F2},{qualityText},{(garage ? "yes" : "no")},{Neighbourhoods[n]},{sold:yyyy-MM-dd},{price:F0}\n"));
        }
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * random.NextDouble());
    }
}
