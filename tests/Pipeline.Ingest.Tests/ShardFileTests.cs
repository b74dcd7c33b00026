using Pipeline.Tabular.Shards;

namespace Pipeline.Ingest.Tests;

public class ShardFileTests
{
    private static MemoryStream Write(int rows, int features)
    {
        var stream = new MemoryStream();
        using var writer = new ShardFileWriter(stream, features, outputs: 3, task: 2);
        var row = new float[features];
        for (var r = 0; r < rows; r++)
        {
            for (var f = 0; f < features; f++)
            {
                row[f] = (r * 10) + f;
            }

            writer.WriteRow(row, r % 3);
        }

        writer.Complete();
        stream.Position = 0;
        return stream;
    }

    [Fact]
    public async Task Round_trips_rows_features_and_targets()
    {
        var shard = await ShardFile.ReadAsync(Write(5, 4));
        Assert.Equal(5, shard.Rows);
        Assert.Equal(4, shard.FeatureCount);
        Assert.Equal(3, shard.Outputs);
        Assert.Equal(2, shard.Task);
        Assert.Equal(21f, shard.Features[(2 * 4) + 1]);
        Assert.Equal([0f, 1f, 2f, 0f, 1f], shard.Targets);
    }

    [Fact]
    public async Task Empty_shard_is_valid()
    {
        var shard = await ShardFile.ReadAsync(Write(0, 4));
        Assert.Equal(0, shard.Rows);
    }

    [Fact]
    public async Task A_flipped_bit_fails_the_checksum()
    {
        var bytes = Write(5, 4).ToArray();
        bytes[ShardFile.HeaderSize + 7] ^= 0x01;
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ShardFile.ReadAsync(new MemoryStream(bytes)));
        Assert.Equal("Shard checksum mismatch: the file is corrupt or truncated and must not be used.", error.Message);
    }

    [Fact]
    public async Task A_changed_header_fails_the_checksum()
    {
        var bytes = Write(5, 4).ToArray();
        bytes[20] = 9; // outputs
        await Assert.ThrowsAsync<InvalidDataException>(() => ShardFile.ReadAsync(new MemoryStream(bytes)));
    }

    [Fact]
    public async Task Truncated_and_foreign_files_are_rejected()
    {
        var bytes = Write(5, 4).ToArray();
        var truncated = await Assert.ThrowsAsync<InvalidDataException>(() => ShardFile.ReadAsync(new MemoryStream(bytes[..^40])));
        Assert.Contains("truncated", truncated.Message, StringComparison.Ordinal);
        var foreign = await Assert.ThrowsAsync<InvalidDataException>(() => ShardFile.ReadAsync(new MemoryStream("a,b\n1,2\n"u8.ToArray().Concat(new byte[64]).ToArray())));
        Assert.Contains("magic", foreign.Message, StringComparison.Ordinal);
    }
}
