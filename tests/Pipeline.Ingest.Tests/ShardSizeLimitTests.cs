using Pipeline.Preprocess;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Shards;

namespace Pipeline.Ingest.Tests;

/// <summary>
/// A worker loads its shard whole, at most <see cref="ShardFile.MaxLoadedFeatureBytes"/> of features: Preprocess
/// refuses a split that would not load before writing it, saying what to change (a 1.9 M-row shard of 465 features
/// once failed every worker instead, after the shards were written).
/// </summary>
public sealed class ShardSizeLimitTests
{
    [Theory]
    [InlineData(0, 10, 0)]
    [InlineData(1, 10, 1)]
    [InlineData(53_687_091, 10, 1)] // 10 features × 4 bytes × 53,687,091 rows = 2,147,483,640 bytes: just fits
    [InlineData(53_687_092, 10, 2)]
    [InlineData(1_920_002, 465, 2)]
    [InlineData(5_000_000, 465, 5)]
    public void The_fewest_loadable_shards_follow_the_byte_limit(long rows, int features, long shards) =>
        Assert.Equal(shards, ShardFile.MinShardsFor(rows, features));

    [Fact]
    public void Too_few_shards_for_the_encoded_width_are_refused_with_the_number_needed()
    {
        var ex = Assert.Throws<DatasetValidationException>(() => Preprocessor.CheckShardsLoadable("flights.csv", 1, 465, [1_920_002, 240_000, 240_000]));
        Assert.Contains("Train on at least 2 shards", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Pipeline:Preprocess:MaxCategories", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("flights.csv: ", ex.Message, StringComparison.Ordinal);

        Preprocessor.CheckShardsLoadable("flights.csv", 2, 465, [1_920_002, 240_000, 240_000]);
    }

    [Fact]
    public void A_validation_split_too_large_to_load_is_refused_whatever_the_shards()
    {
        var ex = Assert.Throws<DatasetValidationException>(() => Preprocessor.CheckShardsLoadable("wide.csv", 64, 465, [20_000_000, 2_500_000, 100]));
        Assert.Contains("validation split", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Pipeline:Preprocess:ValidationFraction", ex.Message, StringComparison.Ordinal);
    }
}
