using Pipeline.Tabular.Shards;

namespace Pipeline.Tabular.Tests;

public sealed class ShardScanTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"pipeline-scan-{Guid.NewGuid():N}.bin");

    [Fact]
    public async Task Scanning_a_shard_row_by_row_sees_what_reading_it_whole_sees()
    {
        var whole = await WriteAsync(rows: 100_003, features: 7);
        var features = new float[whole.Features.Length];
        var targets = new float[whole.Targets.Length];
        await using (var stream = File.OpenRead(_path))
        {
            var shape = await ShardFile.ScanAsync(stream, _ => { }, (row, f) => f.CopyTo(features.AsSpan((int)row * 7)), (row, t) => targets[row] = t);
            Assert.Equal((whole.Rows, whole.FeatureCount, whole.Outputs), (shape.Rows, shape.FeatureCount, shape.Outputs));
        }

        Assert.Equal(whole.Features, features);
        Assert.Equal(whole.Targets, targets);
    }

    [Fact]
    public async Task A_corrupt_shard_fails_the_scan()
    {
        await WriteAsync(rows: 1000, features: 3);
        var bytes = await File.ReadAllBytesAsync(_path);
        bytes[ShardFile.HeaderSize + 17] ^= 0x40;
        await File.WriteAllBytesAsync(_path, bytes);
        await using var stream = File.OpenRead(_path);
        await Assert.ThrowsAsync<InvalidDataException>(() => ShardFile.ScanAsync(stream, _ => { }, (_, _) => { }, (_, _) => { }));
    }

    private async Task<ShardData> WriteAsync(int rows, int features)
    {
        var random = new Random(5);
        using (var writer = ShardFileWriter.Create(_path, features, 1, 1))
        {
            var row = new float[features];
            for (var i = 0; i < rows; i++)
            {
                for (var f = 0; f < features; f++)
                {
                    row[f] = (float)random.NextDouble();
                }

                writer.WriteRow(row, i * 0.5f);
            }

            writer.Complete();
        }

        return await ShardFile.ReadFileAsync(_path);
    }

    public void Dispose() => File.Delete(_path);
}
