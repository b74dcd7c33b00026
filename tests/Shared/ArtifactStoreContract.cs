using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Platform.Artifacts;
using Xunit.Abstractions;

namespace Pipeline.Testing;

/// <summary>
/// Artifact store tests run one class at a time: the large-object test measures the process's memory, which
/// tests running beside it would disturb.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ArtifactStoreCollection
{
    public const string Name = "artifact stores";
}

/// <summary>
/// What every <see cref="IArtifactStore"/> must do, run against each implementation by a subclass that supplies
/// <see cref="Store"/>. Each test works in a bucket of its own; buckets are emptied afterwards.
/// </summary>
public abstract class ArtifactStoreContract(ITestOutputHelper output) : IAsyncLifetime
{
    private const int MiB = 1 << 20;
    private readonly List<string> _buckets = [];

    protected ITestOutputHelper Output { get; } = output;

    protected abstract IArtifactStore Store { get; }

    /// <summary>Size of the large-object test; 1 GiB unless a subclass says otherwise.</summary>
    protected virtual long LargeObjectSize => 1L << 30;

    /// <summary>Most growth of the managed heap and of the working set that the large-object test accepts.</summary>
    protected virtual long MemoryBound => 256L * MiB;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var bucket in _buckets)
        {
            await foreach (var item in Store.ListAsync(bucket))
            {
                await Store.DeleteAsync(bucket, item.Key);
            }
        }
    }

    protected async Task<string> NewBucketAsync()
    {
        var bucket = "t-" + Guid.NewGuid().ToString("N");
        _buckets.Add(bucket);
        await Store.EnsureBucketAsync(bucket);
        return bucket;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(5 * MiB + 1)]
    [InlineData(17 * MiB + 3)]
    public async Task Put_then_get_returns_the_same_bytes_from_a_stream_of_unknown_length(int size)
    {
        var bucket = await NewBucketAsync();
        using var source = new GeneratedStream(size, seed: (ulong)size);
        var info = await Store.PutAsync(bucket, "data/object.bin", source);

        Assert.Equal(size, info.Size);
        Assert.Equal(bucket, info.Bucket);
        Assert.Equal("data/object.bin", info.Key);
        Assert.Equal(source.Sha256, await Sha256Async(bucket, "data/object.bin"));
    }

    [Fact]
    public async Task Put_then_get_returns_the_same_bytes_from_a_seekable_stream()
    {
        var bucket = await NewBucketAsync();
        var bytes = GeneratedStream.Bytes(6 * MiB + 5, seed: 7);
        using var source = new MemoryStream(bytes);
        source.Position = 5; // only what is left is stored

        var info = await Store.PutAsync(bucket, "seekable", source);

        Assert.Equal(bytes.Length - 5, info.Size);
        Assert.Equal(bytes.AsSpan(5).ToArray(), await Store.ReadAllBytesAsync(bucket, "seekable"));
    }

    [Fact]
    public async Task Stat_describes_the_object()
    {
        var bucket = await NewBucketAsync();
        var before = DateTimeOffset.UtcNow.AddMinutes(-2);
        var put = await Store.PutBytesAsync(bucket, "models/house/1/model.bin", Encoding.UTF8.GetBytes("weights"));
        var stat = await Store.StatAsync(bucket, "models/house/1/model.bin");

        Assert.NotNull(stat);
        Assert.Equal(7, stat.Size);
        Assert.Equal(put.Size, stat.Size);
        Assert.False(string.IsNullOrEmpty(stat.ETag));
        Assert.Equal(put.ETag, stat.ETag);
        Assert.InRange(stat.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(2));
        Assert.Empty(stat.Metadata);
    }

    [Fact]
    public async Task Missing_objects_stat_as_null_and_refuse_to_open()
    {
        var bucket = await NewBucketAsync();
        Assert.Null(await Store.StatAsync(bucket, "absent/key"));
        var e = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.OpenReadAsync(bucket, "absent/key"));
        Assert.Equal(bucket, e.Bucket);
        Assert.Equal("absent/key", e.Key);
    }

    [Fact]
    public async Task A_missing_bucket_holds_nothing_and_cannot_be_written()
    {
        var bucket = "t-absent-" + Guid.NewGuid().ToString("N")[..12];
        Assert.Null(await Store.StatAsync(bucket, "k"));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.OpenReadAsync(bucket, "k"));
        Assert.Empty(await ToListAsync(Store.ListAsync(bucket)));
        await Store.DeleteAsync(bucket, "k");
        await Assert.ThrowsAsync<ArtifactBucketNotFoundException>(() => Store.PutBytesAsync(bucket, "k", new byte[] { 1 }));
    }

    [Fact]
    public async Task EnsureBucket_is_idempotent()
    {
        var bucket = await NewBucketAsync();
        await Store.PutBytesAsync(bucket, "kept", new byte[] { 42 });
        await Store.EnsureBucketAsync(bucket);
        Assert.Equal(new byte[] { 42 }, await Store.ReadAllBytesAsync(bucket, "kept"));
    }

    [Fact]
    public async Task List_returns_keys_under_the_prefix_in_key_order()
    {
        var bucket = await NewBucketAsync();
        string[] keys = ["data/x-1", "data/x.2", "data/x/3", "data/X", "data/\u00e9t\u00e9", "data/z", "other/1", "dat", "data-sibling"];
        foreach (var key in keys.Reverse())
        {
            await Store.PutBytesAsync(bucket, key, Encoding.UTF8.GetBytes(key));
        }

        var all = await ToListAsync(Store.ListAsync(bucket));
        Assert.Equal(keys.Order(StringComparer.Ordinal), all.Select(i => i.Key));
        Assert.All(all, i => Assert.Equal(Encoding.UTF8.GetByteCount(i.Key), i.Size));

        Assert.Equal(["data/X", "data/x-1", "data/x.2", "data/x/3", "data/z", "data/\u00e9t\u00e9"], (await ToListAsync(Store.ListAsync(bucket, "data/"))).Select(i => i.Key));
        Assert.Equal(["data/x-1", "data/x.2", "data/x/3"], (await ToListAsync(Store.ListAsync(bucket, "data/x"))).Select(i => i.Key));
        Assert.Equal(["data-sibling", "data/X", "data/x-1", "data/x.2", "data/x/3", "data/z", "data/\u00e9t\u00e9"], (await ToListAsync(Store.ListAsync(bucket, "data"))).Select(i => i.Key));
        Assert.Empty(await ToListAsync(Store.ListAsync(bucket, "nothing/")));
    }

    [Fact]
    public async Task Overwrite_replaces_content_and_metadata()
    {
        var bucket = await NewBucketAsync();
        var first = await Store.PutBytesAsync(bucket, "k", GeneratedStream.Bytes(1000, 1), new Dictionary<string, string> { ["version"] = "1", ["only-first"] = "x" });
        var second = await Store.PutBytesAsync(bucket, "k", GeneratedStream.Bytes(300, 2), new Dictionary<string, string> { ["version"] = "2" });

        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(GeneratedStream.Bytes(300, 2), await Store.ReadAllBytesAsync(bucket, "k"));
        var stat = await Store.StatAsync(bucket, "k");
        Assert.NotNull(stat);
        Assert.Equal(300, stat.Size);
        Assert.Equal(second.ETag, stat.ETag);
        Assert.Equal(new Dictionary<string, string> { ["version"] = "2" }, stat.Metadata);
        Assert.Single(await ToListAsync(Store.ListAsync(bucket)));
    }

    [Fact]
    public async Task Delete_removes_the_object_and_is_idempotent()
    {
        var bucket = await NewBucketAsync();
        await Store.PutBytesAsync(bucket, "jobs/1/a", new byte[] { 1 });
        await Store.PutBytesAsync(bucket, "jobs/1/b", new byte[] { 2 });

        await Store.DeleteAsync(bucket, "jobs/1/a");
        await Store.DeleteAsync(bucket, "jobs/1/a");
        await Store.DeleteAsync(bucket, "never/was");

        Assert.Null(await Store.StatAsync(bucket, "jobs/1/a"));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.OpenReadAsync(bucket, "jobs/1/a"));
        Assert.Equal(["jobs/1/b"], (await ToListAsync(Store.ListAsync(bucket, "jobs/"))).Select(i => i.Key));

        // and the key can be written again
        await Store.PutBytesAsync(bucket, "jobs/1/a", new byte[] { 3 });
        Assert.Equal(new byte[] { 3 }, await Store.ReadAllBytesAsync(bucket, "jobs/1/a"));
    }

    [Fact]
    public async Task Metadata_round_trips()
    {
        var bucket = await NewBucketAsync();
        var metadata = new Dictionary<string, string>
        {
            ["dataset-id"] = "d-42",
            ["rows"] = "1000000",
            ["note"] = "house prices: a=b, c/d ~ e",
        };
        var put = await Store.PutBytesAsync(bucket, "datasets/d-42/raw.csv", Encoding.UTF8.GetBytes("a,b\n1,2\n"), metadata);
        var stat = await Store.StatAsync(bucket, "datasets/d-42/raw.csv");

        Assert.Equal(metadata, put.Metadata);
        Assert.NotNull(stat);
        Assert.Equal(metadata, stat.Metadata);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData("a/../../b")]
    [InlineData("a//b")]
    [InlineData("/absolute")]
    [InlineData("trailing/")]
    [InlineData("back\\slash")]
    [InlineData("nul\0byte")]
    public async Task Invalid_keys_are_refused_by_every_operation(string key)
    {
        var bucket = await NewBucketAsync();
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutBytesAsync(bucket, key, new byte[] { 1 }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.OpenReadAsync(bucket, key));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.StatAsync(bucket, key));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteAsync(bucket, key));
        Assert.Empty(await ToListAsync(Store.ListAsync(bucket)));
    }

    [Fact]
    public async Task Invalid_buckets_prefixes_and_metadata_are_refused()
    {
        var bucket = await NewBucketAsync();
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.EnsureBucketAsync("Upper_Case"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.EnsureBucketAsync("../up"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.StatAsync("..", "k"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await ToListAsync(Store.ListAsync(bucket, "../")));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutBytesAsync(bucket, "k", new byte[] { 1 }, new Dictionary<string, string> { ["Bad Key"] = "v" }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutBytesAsync(bucket, "k", new byte[] { 1 }, new Dictionary<string, string> { ["content-type"] = "text/plain" }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutBytesAsync(bucket, "k", new byte[] { 1 }, new Dictionary<string, string> { ["ok"] = "caf\u00e9" }));
        Assert.Null(await Store.StatAsync(bucket, "k"));
    }

    [Fact]
    public async Task Concurrent_writers_to_one_key_end_with_one_complete_version_and_readers_never_see_a_mix()
    {
        var bucket = await NewBucketAsync();
        const int writers = 6;
        const int size = 3 * MiB + 17;
        var hashes = Enumerable.Range(0, writers).Select(i => GeneratedStream.HashOf(size, (ulong)(1000 + i))).ToHashSet();
        var seen = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    seen.Add(await Sha256Async(bucket, "contended"));
                }
                catch (ArtifactNotFoundException)
                {
                    // not written yet
                }
            }
        });
        await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            using var source = new GeneratedStream(size, (ulong)(1000 + i));
            await Store.PutAsync(bucket, "contended", source);
        })));
        await Task.Delay(50);
        await stop.CancelAsync();
        await reader;

        var final = await Sha256Async(bucket, "contended");
        Assert.Contains(final, hashes);
        Assert.All(seen, h => Assert.Contains(h, hashes));
        var stat = await Store.StatAsync(bucket, "contended");
        Assert.NotNull(stat);
        Assert.Equal(size, stat.Size);
        Assert.Single(await ToListAsync(Store.ListAsync(bucket)));
        Output.WriteLine($"reader saw {seen.Count} complete versions");
    }

    [Fact]
    public async Task Many_keys_written_concurrently_are_all_there()
    {
        var bucket = await NewBucketAsync();
        const int count = 200;
        var keys = Enumerable.Range(0, count).Select(i => $"shards/{i % 7}/part-{i:D4}.bin").ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await Store.PutBytesAsync(bucket, keys[i], GeneratedStream.Bytes(1000 + i, (ulong)i), cancellationToken: ct));

        var listed = await ToListAsync(Store.ListAsync(bucket, "shards/"));
        Assert.Equal(keys.Order(StringComparer.Ordinal), listed.Select(i => i.Key));
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            Assert.Equal(GeneratedStream.Bytes(1000 + i, (ulong)i), await Store.ReadAllBytesAsync(bucket, keys[i], ct)));
    }

    [Fact]
    public async Task Object_refs_carry_the_sha256_and_verified_reads_check_it()
    {
        var bucket = await NewBucketAsync();
        using var source = new GeneratedStream(2 * MiB + 1, 99);
        var reference = await Store.PutWithHashAsync(bucket, "refs/a.bin", source);

        Assert.Equal(source.Sha256, reference.Sha256);
        Assert.Equal(2 * MiB + 1, reference.Size);
        await using (var verified = await Store.OpenVerifiedReadAsync(reference))
        {
            Assert.Equal(reference.Sha256, await ArtifactStoreExtensions.ComputeSha256Async(verified));
        }

        await using var tampered = await Store.OpenVerifiedReadAsync(reference with { Sha256 = new string('0', 64) });
        await Assert.ThrowsAsync<InvalidDataException>(() => tampered.CopyToAsync(Stream.Null));
    }

    [Fact]
    public async Task A_reader_that_stops_early_releases_the_object()
    {
        var bucket = await NewBucketAsync();
        using (var source = new GeneratedStream(8 * MiB, 5))
        {
            await Store.PutAsync(bucket, "big", source);
        }

        for (var i = 0; i < 3; i++)
        {
            await using var stream = await Store.OpenReadAsync(bucket, "big");
            var buffer = new byte[1000];
            await stream.ReadExactlyAsync(buffer);
            Assert.Equal(GeneratedStream.Bytes(1000, 5), buffer);
        }

        await Store.DeleteAsync(bucket, "big");
        Assert.Null(await Store.StatAsync(bucket, "big"));
    }

    [Fact]
    public async Task A_large_object_streams_up_and_down_with_bounded_memory()
    {
        var bucket = await NewBucketAsync();
        var size = LargeObjectSize;
        using var watch = new MemoryWatch();
        var clock = Stopwatch.StartNew();

        Pipeline.Contracts.ObjectRef reference;
        using (var source = new GeneratedStream(size, 0xC0FFEE))
        {
            reference = await Store.PutWithHashAsync(bucket, "large/object.bin", source);
            Assert.Equal(source.Sha256, reference.Sha256);
        }

        var up = clock.Elapsed;
        watch.Sample();
        var afterUpload = watch.ToString();
        Assert.Equal(size, reference.Size);
        var stat = await Store.StatAsync(bucket, "large/object.bin");
        Assert.NotNull(stat);
        Assert.Equal(size, stat.Size);

        long read = 0;
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            await using var stream = await Store.OpenVerifiedReadAsync(reference);
            var buffer = new byte[MiB];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                read += n;
            }

            Assert.Equal(reference.Sha256, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }

        Assert.Equal(size, read);
        watch.Dispose();
        Output.WriteLine($"{size / MiB} MiB: up {up.TotalSeconds:F1} s ({afterUpload}), down {(clock.Elapsed - up).TotalSeconds:F1} s; overall {watch}");
        Assert.True(watch.PeakManagedGrowth < MemoryBound, $"managed heap grew too much: {watch}");
        Assert.True(watch.PeakWorkingSetGrowth < MemoryBound, $"working set grew too much: {watch}");
        await Store.DeleteAsync(bucket, "large/object.bin");
    }

    protected async Task<string> Sha256Async(string bucket, string key)
    {
        await using var stream = await Store.OpenReadAsync(bucket, key);
        return await ArtifactStoreExtensions.ComputeSha256Async(stream);
    }

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
