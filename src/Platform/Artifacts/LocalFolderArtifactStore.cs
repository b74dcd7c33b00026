using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pipeline.Platform.Artifacts;

/// <summary>
/// The artifact store of embedded mode: a folder whose subfolders are buckets and whose files are objects
/// (<c>root/bucket/a/b.csv</c> holds key <c>a/b.csv</c>), so that a person can look at them.
/// <list type="bullet">
/// <item>A write goes to a temporary file under <c>root/.tmp</c> (same file system as the buckets; bucket names
/// cannot start with '.', so it is never a bucket) and is then renamed over the target: readers see the old or
/// the new object, never a partial one; of concurrent writers to one key the last rename wins.</item>
/// <item>The ETag (hex SHA-256 of the content) and the metadata live in a sidecar file under
/// <c>root/.meta/bucket/</c>, named by the hash of the key, so no key can collide with it and listings never see
/// it. A sidecar whose size or time no longer matches its object (the file was replaced by hand) is ignored.</item>
/// <item>Limits of a file system: a key cannot be both an object and a folder of other objects
/// (<c>a/b</c> and <c>a/b/c</c>); writing the second throws <see cref="IOException"/>. Within one process writes to
/// one key are serialised around the renames; across processes content is still never partial, but a stat racing
/// two writers may see no ETag.</item>
/// </list>
/// </summary>
public sealed class LocalFolderArtifactStore : IArtifactStore
{
    private const int BufferSize = 1 << 20;
    private const string TempFolderName = ".tmp";
    private const string MetaFolderName = ".meta";
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

    private readonly string _root;
    private readonly bool _flushToDisk;
    private readonly object[] _stripes = Enumerable.Range(0, 64).Select(_ => new object()).ToArray();

    public LocalFolderArtifactStore(string root, bool flushToDisk = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _flushToDisk = flushToDisk;
    }

    /// <summary>The absolute root folder.</summary>
    public string Root => _root;

    public Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArtifactKey.ValidateBucket(bucket);
        Directory.CreateDirectory(BucketPath(bucket));
        return Task.CompletedTask;
    }

    public async Task<ArtifactInfo> PutAsync(string bucket, string key, Stream content, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = ObjectPath(bucket, key);
        ArtifactKey.ValidateMetadata(metadata);
        if (!Directory.Exists(BucketPath(bucket)))
        {
            throw new ArtifactBucketNotFoundException(bucket);
        }

        var tempFolder = Path.Combine(_root, TempFolderName);
        Directory.CreateDirectory(tempFolder);
        var tempData = Path.Combine(tempFolder, Guid.NewGuid().ToString("N"));
        var tempMeta = tempData + ".json";
        try
        {
            string etag;
            long size;
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var file = new FileStream(tempData, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous);
                await using (file.ConfigureAwait(false))
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                    try
                    {
                        int read;
                        while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                        {
                            hash.AppendData(buffer, 0, read);
                            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }

                    if (_flushToDisk)
                    {
                        file.Flush(flushToDisk: true);
                    }

                    size = file.Length;
                }

                etag = Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            var written = File.GetLastWriteTimeUtc(tempData);
            var copy = metadata is null ? new Dictionary<string, string>() : new Dictionary<string, string>(metadata, StringComparer.Ordinal);
            var sidecar = new Sidecar(key, etag, size, written.Ticks, copy);
            await File.WriteAllBytesAsync(tempMeta, JsonSerializer.SerializeToUtf8Bytes(sidecar, JsonOptions), cancellationToken).ConfigureAwait(false);

            cancellationToken.ThrowIfCancellationRequested();
            var metaPath = SidecarPath(bucket, key);
            lock (Stripe(bucket, key))
            {
                Publish(tempMeta, metaPath);
                Publish(tempData, path, key);
            }

            return new ArtifactInfo(bucket, key, size, new DateTimeOffset(written, TimeSpan.Zero), etag, copy);
        }
        finally
        {
            TryDelete(tempData);
            TryDelete(tempMeta);
        }
    }

    public Task<Stream> OpenReadAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        var path = ObjectPath(bucket, key);
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, BufferSize / 8, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException || (e is UnauthorizedAccessException && !File.Exists(path)))
        {
            // Absent when we tried to open it, even if a concurrent writer has created it since.
            throw new ArtifactNotFoundException(bucket, key);
        }
    }

    public Task<ArtifactInfo?> StatAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        var path = ObjectPath(bucket, key);
        lock (Stripe(bucket, key))
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return Task.FromResult<ArtifactInfo?>(null);
            }

            var sidecar = ReadSidecar(bucket, key, info);
            return Task.FromResult<ArtifactInfo?>(new ArtifactInfo(
                bucket, key, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero), sidecar?.ETag,
                sidecar?.Metadata ?? NoMetadata));
        }
    }

    public async IAsyncEnumerable<ArtifactInfo> ListAsync(string bucket, string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArtifactKey.ValidateBucket(bucket);
        ArtifactKey.ValidatePrefix(prefix);
        var bucketPath = BucketPath(bucket);
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? bucketPath : Path.Combine(bucketPath, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint, // not Hidden: keys may have segments starting with '.'
            ReturnSpecialDirectories = false,
        };
        var keys = new List<string>();
        foreach (var file in Directory.EnumerateFiles(start, "*", options))
        {
            var key = Path.GetRelativePath(bucketPath, file).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal) && IsValidKey(key))
            {
                keys.Add(key);
            }
        }

        keys.Sort(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = new FileInfo(Path.Combine(bucketPath, key.Replace('/', Path.DirectorySeparatorChar)));
            if (!info.Exists)
            {
                continue; // deleted since the enumeration
            }

            var sidecar = ReadSidecar(bucket, key, info);
            yield return new ArtifactInfo(bucket, key, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero), sidecar?.ETag, NoMetadata);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task DeleteAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        var path = ObjectPath(bucket, key);
        lock (Stripe(bucket, key))
        {
            if (File.Exists(path))
            {
                File.Delete(path);
                RemoveEmptyFolders(Path.GetDirectoryName(path)!, BucketPath(bucket));
            }

            TryDelete(SidecarPath(bucket, key));
        }

        return Task.CompletedTask;
    }

    private string BucketPath(string bucket) => Path.Combine(_root, bucket);

    private string ObjectPath(string bucket, string key)
    {
        ArtifactKey.ValidateBucket(bucket);
        ArtifactKey.Validate(key);
        var bucketPath = BucketPath(bucket);
        var full = Path.GetFullPath(Path.Combine(bucketPath, key.Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(bucketPath + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Object key '{key}' resolves outside bucket '{bucket}'.", nameof(key));
        }

        return full;
    }

    private string SidecarPath(string bucket, string key)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return Path.Combine(_root, MetaFolderName, bucket, hash[..2], hash + ".json");
    }

    private Sidecar? ReadSidecar(string bucket, string key, FileInfo data)
    {
        try
        {
            var sidecar = JsonSerializer.Deserialize<Sidecar>(File.ReadAllBytes(SidecarPath(bucket, key)), JsonOptions);
            return sidecar is not null && sidecar.Key == key && sidecar.Size == data.Length && sidecar.LastWriteTicks == data.LastWriteTimeUtc.Ticks
                ? sidecar
                : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private object Stripe(string bucket, string key) =>
        _stripes[(uint)HashCode.Combine(StringComparer.Ordinal.GetHashCode(bucket), StringComparer.Ordinal.GetHashCode(key)) % (uint)_stripes.Length];

    /// <summary>Renames a finished temporary file over the target, creating folders (again, if a delete removed them meanwhile).</summary>
    private static void Publish(string temp, string target, string? key = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                if (key is not null && Directory.Exists(target))
                {
                    throw new IOException($"Object key '{key}' is a folder of other objects in the local store; a key cannot be both.");
                }

                File.Move(temp, target, overwrite: true);
                return;
            }
            catch (DirectoryNotFoundException) when (attempt < 5)
            {
                // a concurrent delete removed an empty folder between CreateDirectory and Move
            }
            catch (IOException e) when (key is not null && e is not DirectoryNotFoundException && ParentIsFile(target))
            {
                throw new IOException($"Object key '{key}' lies under a prefix that is itself an object in the local store; a key cannot be both.", e);
            }
        }
    }

    private static bool ParentIsFile(string target)
    {
        for (var dir = Path.GetDirectoryName(target); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(dir))
            {
                return true;
            }
        }

        return false;
    }

    private static void RemoveEmptyFolders(string folder, string stopAt)
    {
        while (folder.Length > stopAt.Length && folder.StartsWith(stopAt + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            try
            {
                Directory.Delete(folder); // only succeeds when empty
            }
            catch (IOException)
            {
                return;
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }

            folder = Path.GetDirectoryName(folder)!;
        }
    }

    private static bool IsValidKey(string key)
    {
        try
        {
            ArtifactKey.Validate(key);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // best effort: a leftover temporary file is harmless
        }
    }

    private sealed record Sidecar(string Key, string ETag, long Size, long LastWriteTicks, Dictionary<string, string> Metadata);
}
