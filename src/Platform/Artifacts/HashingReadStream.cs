using System.Security.Cryptography;
using Pipeline.Contracts;

namespace Pipeline.Platform.Artifacts;

/// <summary>
/// A read-only pass-through stream that hashes (SHA-256) and counts what is read. Given an expected
/// <see cref="ObjectRef"/>, it checks size and hash when the end is reached. With <c>leaveOpen</c> the inner stream
/// stays open when this one is disposed.
/// </summary>
internal sealed class HashingReadStream(Stream inner, ObjectRef? expected = null, bool leaveOpen = false) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private string? _sha256;

    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    /// <summary>The hash of everything read; call it once the stream is read to its end.</summary>
    public string GetSha256Hex() => _sha256 ??= Convert.ToHexStringLower(_hash.GetHashAndReset());

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        return Account(buffer[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span[..read]);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!leaveOpen)
            {
                inner.Dispose();
            }

            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!leaveOpen)
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }

        _hash.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        if (data.Length > 0)
        {
            _hash.AppendData(data);
            BytesRead += data.Length;
        }
        else if (expected is not null && _sha256 is null)
        {
            var actual = GetSha256Hex();
            if (BytesRead != expected.Size || !string.Equals(actual, expected.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"Object '{expected}' does not match its reference: read {BytesRead} bytes with SHA-256 {actual}, expected {expected.Size} bytes with {expected.Sha256}.");
            }
        }

        return data.Length;
    }
}
