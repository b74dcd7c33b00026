using Pipeline.Numerics.Training;

namespace Pipeline.Numerics.Tests;

/// <summary>The prefetching shuffle and gather give exactly what the plain loops give.</summary>
public class BatchSamplingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1000)]
    public void Shuffle_is_the_plain_Fisher_Yates_permutation(int n)
    {
        var expected = new int[n];
        for (int i = 0; i < n; i++)
        {
            expected[i] = i;
        }

        var random = new DeterministicRandom(42);
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (expected[i], expected[j]) = (expected[j], expected[i]);
        }

        var actual = new int[n];
        Array.Fill(actual, -1);
        BatchSampling.Shuffle(actual, new DeterministicRandom(42));
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(64, 1)]
    [InlineData(33, 3)]
    public void Gather_copies_the_chosen_rows(int inWidth, int outWidth)
    {
        const int rows = 100;
        var features = NaiveReference.RandomMatrix(rows * inWidth, 1);
        var targets = NaiveReference.RandomMatrix(rows * outWidth, 2);
        int[] chosen = [99, 0, 42, 42, 7, 63, 1, 98, 50, 3, 77, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
        var input = new float[chosen.Length * inWidth];
        var batchTargets = new float[chosen.Length * outWidth];
        BatchSampling.Gather(features, inWidth, targets, outWidth, chosen, input, batchTargets);
        for (int r = 0; r < chosen.Length; r++)
        {
            Assert.Equal(features.AsSpan(chosen[r] * inWidth, inWidth).ToArray(), input.AsSpan(r * inWidth, inWidth).ToArray());
            Assert.Equal(targets.AsSpan(chosen[r] * outWidth, outWidth).ToArray(), batchTargets.AsSpan(r * outWidth, outWidth).ToArray());
        }
    }
}
