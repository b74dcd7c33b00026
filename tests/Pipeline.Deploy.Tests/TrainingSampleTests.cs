using Pipeline.Deploy.Baseline;
using Pipeline.Tabular.Shards;

namespace Pipeline.Deploy.Tests;

/// <summary>The baseline's sample of the training split: bounded in rows and in values, and sized by what it keeps.</summary>
public sealed class TrainingSampleTests
{
    [Fact]
    public void A_few_wide_rows_take_memory_for_those_rows_only()
    {
        // 30 rows × 5,000 features is 600 kB of floats; the sample once reserved room for 200,000 such rows (4 GB).
        var sample = new TrainingSample(maxRows: 200_000, maxValues: 50_000_000, seed: 1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        sample.Add(Shard(rows: 30, features: 5_000));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(30, sample.Sample().Rows);
        Assert.True(allocated < 16 << 20, $"allocated {allocated >> 20} MB for 30 rows");
        Assert.Equal(10_000, sample.Limit); // 50,000,000 values / 5,000 features
    }

    [Fact]
    public void Past_the_value_budget_it_keeps_a_sample_of_the_rows()
    {
        var sample = new TrainingSample(maxRows: 1_000, maxValues: 100, seed: 1);
        var shard = Shard(rows: 50, features: 10);
        sample.Add(shard);

        var kept = sample.Sample();
        Assert.Equal(10, sample.Limit);
        Assert.Equal(10, kept.Rows);
        Assert.Equal(50, sample.Rows);
        for (var i = 0; i < kept.Rows; i++)
        {
            // Each kept row is one of the shard's, with its own target (row r has features r·10.. and target r).
            var row = (int)kept.Features[i * 10] / 10;
            Assert.Equal(shard.Features.AsSpan(row * 10, 10).ToArray(), kept.Features.AsSpan(i * 10, 10).ToArray());
            Assert.Equal(row, kept.Targets[i]);
        }
    }

    private static ShardData Shard(int rows, int features) =>
        new([.. Enumerable.Range(0, rows * features).Select(i => (float)i)], [.. Enumerable.Range(0, rows).Select(r => (float)r)], rows, features, Outputs: 1, Task: 0);
}
