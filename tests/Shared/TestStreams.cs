using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Pipeline.Testing;

/// <summary>
/// A read-only, non-seekable stream of <c>length</c> pseudo-random bytes that are computed, never stored: the byte
/// at position p depends only on (seed, p). It hashes what it hands out, so a test knows the SHA-256 of an object
/// of any size without holding it.
/// </summary>
public sealed class GeneratedStream(long length, ulong seed) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _position;
    private string? _sha256;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    /// <summary>SHA-256 (lower-case hex) of everything read so far; read to the end first.</summary>
    public string Sha256 => _sha256 ??= Convert.ToHexStringLower(_hash.GetHashAndReset());

    /// <summary>The whole content at once, for small sizes.</summary>
    public static byte[] Bytes(int length, ulong seed)
    {
        var bytes = new byte[length];
        Fill(bytes, 0, seed);
        return bytes;
    }

    /// <summary>SHA-256 of the content without materialising it.</summary>
    public static string HashOf(long length, ulong seed)
    {
        using var stream = new GeneratedStream(length, seed);
        stream.CopyTo(Stream.Null, 1 << 20);
        return stream.Sha256;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position);
        if (n <= 0)
        {
            return 0;
        }

        var chunk = buffer[..n];
        Fill(chunk, _position, seed);
        _hash.AppendData(chunk);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private static void Fill(Span<byte> target, long position, ulong seed)
    {
        // head: up to the next multiple of 8
        while (target.Length > 0 && (position & 7) != 0)
        {
            target[0] = ByteAt(position, seed);
            target = target[1..];
            position++;
        }

        var words = MemoryMarshal.Cast<byte, ulong>(target);
        var index = (ulong)position >> 3;
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = Mix(seed + index + (ulong)i);
        }

        var done = words.Length * 8;
        for (var i = done; i < target.Length; i++)
        {
            target[i] = ByteAt(position + i, seed);
        }
    }

    private static byte ByteAt(long position, ulong seed)
    {
        var word = Mix(seed + ((ulong)position >> 3));
        return (byte)(word >> (int)(8 * (position & 7)));
    }

    private static ulong Mix(ulong x)
    {
        // SplitMix64 finaliser
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}

/// <summary>
/// Samples the managed heap and the working set every 20 ms and keeps the peaks. With MEMWATCH_TRACE set, each
/// sample is printed to stderr (a saw-tooth is garbage waiting for a collection; a plateau is memory held).
/// </summary>
public sealed class MemoryWatch : IDisposable
{
    private readonly Timer _timer;
    private readonly Process _process = Process.GetCurrentProcess();
    private long _peakManaged;
    private long _peakWorkingSet;
    private bool _disposed;

    public MemoryWatch()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        BaselineManaged = GC.GetTotalMemory(forceFullCollection: true);
        _process.Refresh();
        BaselineWorkingSet = _process.WorkingSet64;
        _peakManaged = BaselineManaged;
        _peakWorkingSet = BaselineWorkingSet;
        _timer = new Timer(_ => Sample(), null, 0, 20);
    }

    public long BaselineManaged { get; }
    public long BaselineWorkingSet { get; }
    public long PeakManagedGrowth => Interlocked.Read(ref _peakManaged) - BaselineManaged;
    public long PeakWorkingSetGrowth => Interlocked.Read(ref _peakWorkingSet) - BaselineWorkingSet;

    public void Sample()
    {
        var managed = GC.GetTotalMemory(forceFullCollection: false);
        long workingSet;
        lock (_process)
        {
            if (_disposed)
            {
                return;
            }

            _process.Refresh();
            workingSet = _process.WorkingSet64;
        }

        if (Environment.GetEnvironmentVariable("MEMWATCH_TRACE") is not null)
        {
            Console.Error.WriteLine($"MEMTRACE {DateTime.UtcNow:HH:mm:ss.fff} managed={managed >> 20} ws={workingSet >> 20} gc2={GC.CollectionCount(2)}");
        }

        InterlockedMax(ref _peakManaged, managed);
        InterlockedMax(ref _peakWorkingSet, workingSet);
    }

    public override string ToString() =>
        $"peak managed growth {PeakManagedGrowth / (1 << 20)} MiB, peak working-set growth {PeakWorkingSetGrowth / (1 << 20)} MiB";

    public void Dispose()
    {
        _timer.Dispose();
        Sample();
        lock (_process)
        {
            _disposed = true;
            _process.Dispose();
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)))
        {
            if (Interlocked.CompareExchange(ref target, value, current) == current)
            {
                return;
            }
        }
    }
}
