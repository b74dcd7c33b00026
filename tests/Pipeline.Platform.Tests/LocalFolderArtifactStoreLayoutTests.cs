using System.Text;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Platform.Tests;

/// <summary>What is particular to the local folder store: its files on disk.</summary>
public sealed class LocalFolderArtifactStoreLayoutTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pipeline-layout-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderArtifactStore _store;

    public LocalFolderArtifactStoreLayoutTests() => _store = new LocalFolderArtifactStore(_root, flushToDisk: false);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Objects_are_plain_files_under_root_bucket_key_and_nothing_else_is_in_the_bucket()
    {
        await _store.EnsureBucketAsync("ingest");
        await _store.PutBytesAsync("ingest", "houses/houses.csv", Encoding.UTF8.GetBytes("a,b\n"), new Dictionary<string, string> { ["k"] = "v" });

        Assert.Equal("a,b\n", await File.ReadAllTextAsync(Path.Combine(_root, "ingest", "houses", "houses.csv")));
        Assert.Equal([Path.Combine(_root, "ingest", "houses", "houses.csv")], Directory.GetFiles(Path.Combine(_root, "ingest"), "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, ".tmp")));
    }

    [Fact]
    public async Task Keys_starting_with_a_dot_are_ordinary_objects()
    {
        await _store.EnsureBucketAsync("b-1");
        await _store.PutBytesAsync("b-1", ".meta/x", new byte[] { 1 });
        await _store.PutBytesAsync("b-1", ".tmp", new byte[] { 2 });

        var keys = new List<string>();
        await foreach (var item in _store.ListAsync("b-1"))
        {
            keys.Add(item.Key);
        }

        Assert.Equal([".meta/x", ".tmp"], keys);
        Assert.Equal(new byte[] { 1 }, await _store.ReadAllBytesAsync("b-1", ".meta/x"));
    }

    [Fact]
    public async Task A_file_dropped_in_by_hand_is_an_object_without_etag_or_metadata()
    {
        await _store.EnsureBucketAsync("ingest");
        Directory.CreateDirectory(Path.Combine(_root, "ingest", "drop"));
        await File.WriteAllTextAsync(Path.Combine(_root, "ingest", "drop", "new.csv"), "x,y\n");

        var stat = await _store.StatAsync("ingest", "drop/new.csv");
        Assert.NotNull(stat);
        Assert.Equal(4, stat.Size);
        Assert.Null(stat.ETag);
        Assert.Empty(stat.Metadata);
    }

    [Fact]
    public async Task A_file_replaced_by_hand_loses_its_stale_etag_and_metadata()
    {
        await _store.EnsureBucketAsync("ingest");
        await _store.PutBytesAsync("ingest", "f.csv", Encoding.UTF8.GetBytes("old"), new Dictionary<string, string> { ["k"] = "v" });
        var path = Path.Combine(_root, "ingest", "f.csv");
        await File.WriteAllTextAsync(path, "newer content");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));

        var stat = await _store.StatAsync("ingest", "f.csv");
        Assert.NotNull(stat);
        Assert.Null(stat.ETag);
        Assert.Empty(stat.Metadata);
    }

    [Fact]
    public async Task The_etag_is_the_sha256_of_the_content()
    {
        await _store.EnsureBucketAsync("b-1");
        var info = await _store.PutBytesAsync("b-1", "k", Encoding.UTF8.GetBytes("abc"));
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", info.ETag);
    }

    [Fact]
    public async Task A_key_cannot_be_both_an_object_and_a_folder_of_objects()
    {
        await _store.EnsureBucketAsync("b-1");
        await _store.PutBytesAsync("b-1", "a/b", new byte[] { 1 });
        await Assert.ThrowsAsync<IOException>(() => _store.PutBytesAsync("b-1", "a/b/c", new byte[] { 2 }));

        await _store.PutBytesAsync("b-1", "x/y/z", new byte[] { 3 });
        await Assert.ThrowsAsync<IOException>(() => _store.PutBytesAsync("b-1", "x/y", new byte[] { 4 }));

        // deleting the last object under a folder removes the empty folder, so the key is free again
        await _store.DeleteAsync("b-1", "x/y/z");
        await _store.PutBytesAsync("b-1", "x/y", new byte[] { 5 });
        Assert.Equal(new byte[] { 5 }, await _store.ReadAllBytesAsync("b-1", "x/y"));
    }

    [Fact]
    public async Task A_symlinked_folder_does_not_let_listing_escape_the_bucket()
    {
        await _store.EnsureBucketAsync("b-1");
        var outside = Path.Combine(_root, "..", "pipeline-outside-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outside);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(outside, "secret"), "s");
            Directory.CreateSymbolicLink(Path.Combine(_root, "b-1", "link"), outside);

            var keys = new List<string>();
            await foreach (var item in _store.ListAsync("b-1"))
            {
                keys.Add(item.Key);
            }

            Assert.Empty(keys);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }
}
