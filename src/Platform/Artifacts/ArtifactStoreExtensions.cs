using System.Security.Cryptography;
using Pipeline.Contracts;

namespace Pipeline.Platform.Artifacts;

/// <summary>Helpers over any <see cref="IArtifactStore"/>: content-addressed references and small objects.</summary>
public static class ArtifactStoreExtensions
{
    /// <summary>
    /// Uploads the stream and returns the <see cref="ObjectRef"/> that messages carry: SHA-256 and size are
    /// computed while the bytes go up, in one pass, whatever the length of the stream. The stream is left open.
    /// </summary>
    public static async Task<ObjectRef> PutWithHashAsync(this IArtifactStore store, string bucket, string key, Stream content, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var hashing = new HashingReadStream(content, leaveOpen: true);
        await using (hashing.ConfigureAwait(false))
        {
            var info = await store.PutAsync(bucket, key, hashing, metadata, cancellationToken).ConfigureAwait(false);
            var sha256 = hashing.GetSha256Hex();
            if (info.Size != hashing.BytesRead)
            {
                throw new IOException($"Object '{bucket}/{key}': {hashing.BytesRead} bytes were sent but the store holds {info.Size}.");
            }

            return new ObjectRef(bucket, key, sha256, hashing.BytesRead);
        }
    }

    /// <summary>
    /// Opens the referenced object for reading; at its end the stream checks size and SHA-256 against the
    /// reference and throws <see cref="InvalidDataException"/> on a mismatch.
    /// </summary>
    public static async Task<Stream> OpenVerifiedReadAsync(this IArtifactStore store, ObjectRef reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(reference);
        var inner = await store.OpenReadAsync(reference.Bucket, reference.Key, cancellationToken).ConfigureAwait(false);
        return new HashingReadStream(inner, reference);
    }

    /// <summary>Writes a small object from memory.</summary>
    public static async Task<ArtifactInfo> PutBytesAsync(this IArtifactStore store, string bucket, string key, ReadOnlyMemory<byte> content, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stream = new MemoryStream(content.ToArray(), writable: false);
        await using (stream.ConfigureAwait(false))
        {
            return await store.PutAsync(bucket, key, stream, metadata, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a whole (small) object into memory.</summary>
    public static async Task<byte[]> ReadAllBytesAsync(this IArtifactStore store, string bucket, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stream = await store.OpenReadAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    /// <summary>Lower-case hex SHA-256 of a stream, read to its end with a bounded buffer.</summary>
    public static async Task<string> ComputeSha256Async(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false));
    }
}
