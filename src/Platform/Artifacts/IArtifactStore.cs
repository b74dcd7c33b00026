namespace Pipeline.Platform.Artifacts;

/// <summary>
/// Object storage for everything too big for a message: datasets, shards, models, transforms.
/// Two implementations: S3 (any S3 endpoint through the Minio SDK) and a local folder (embedded mode).
/// Keys are '/'-separated, validated by <see cref="ArtifactKey"/>, and never escape the bucket.
/// </summary>
public interface IArtifactStore
{
    /// <summary>Creates the bucket when it does not exist yet.</summary>
    Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the stream to the key, replacing any existing object atomically (a reader sees the old or the new
    /// content, never a mix). Streams of unknown length are uploaded in bounded parts. Metadata keys and values
    /// follow <see cref="ArtifactKey.ValidateMetadata"/>. Throws <see cref="ArtifactBucketNotFoundException"/>
    /// when the bucket does not exist.
    /// </summary>
    Task<ArtifactInfo> PutAsync(string bucket, string key, Stream content, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default);

    /// <summary>Opens the object for reading. Throws <see cref="ArtifactNotFoundException"/> when absent.</summary>
    Task<Stream> OpenReadAsync(string bucket, string key, CancellationToken cancellationToken = default);

    /// <summary>Size, time and metadata of the object, or null when absent.</summary>
    Task<ArtifactInfo?> StatAsync(string bucket, string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// All objects whose key starts with the prefix, in key order (ordinal, which for valid keys is also S3's
    /// UTF-8 byte order). <see cref="ArtifactInfo.Metadata"/> is empty here: use <see cref="StatAsync"/> for it.
    /// An absent bucket lists nothing.
    /// </summary>
    IAsyncEnumerable<ArtifactInfo> ListAsync(string bucket, string prefix = "", CancellationToken cancellationToken = default);

    /// <summary>Removes the object; removing an absent object is not an error.</summary>
    Task DeleteAsync(string bucket, string key, CancellationToken cancellationToken = default);
}

/// <summary>What the store knows about one object.</summary>
public sealed record ArtifactInfo(
    string Bucket,
    string Key,
    long Size,
    DateTimeOffset LastModified,
    string? ETag,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>Thrown when writing into a bucket that does not exist (call <see cref="IArtifactStore.EnsureBucketAsync"/> first).</summary>
public sealed class ArtifactBucketNotFoundException(string bucket)
    : Exception($"Bucket '{bucket}' does not exist in the artifact store.")
{
    public string Bucket { get; } = bucket;
}

/// <summary>Thrown when an object that must exist does not.</summary>
public sealed class ArtifactNotFoundException(string bucket, string key)
    : Exception($"Object '{bucket}/{key}' does not exist in the artifact store.")
{
    public string Bucket { get; } = bucket;
    public string Key { get; } = key;
}
