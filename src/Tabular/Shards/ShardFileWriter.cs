using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Pipeline.Tabular.Shards;

/// <summary>
/// Streams rows into a <see cref="ShardFile"/> on a seekable stream (a local file before upload). Features go to
/// the stream as rows arrive; targets (4 bytes a row) are kept in memory until <see cref="Complete"/>, which
/// appends them, fills in the header and appends the checksum.
/// </summary>
public sealed class ShardFileWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly int _features;
    private readonly int _outputs;
    private readonly int _task;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<float> _targets = [];
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _buffered;
    private bool _completed;

    public ShardFileWriter(Stream stream, int features, int outputs, int task, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(features);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        if (!stream.CanSeek || !stream.CanWrite)
        {
            throw new ArgumentException("The shard writer needs a writable, seekable stream (it fills in the header last).", nameof(stream));
        }

        ShardFile.EnsureLittleEndian();
        _stream = stream;
        _ownsStream = ownsStream;
        _features = features;
        _outputs = outputs;
        _task = task;
        _stream.Write(new byte[ShardFile.HeaderSize]); // placeholder, rewritten by Complete
    }

    /// <summary>Creates the file (replacing any) and a writer that owns it.</summary>
    public static ShardFileWriter Create(string path, int features, int outputs, int task) =>
        new(new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16), features, outputs, task, ownsStream: true);

    public long Rows => _targets.Count;

    public int Features => _features;

    public void WriteRow(ReadOnlySpan<float> features, float target)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (features.Length != _features)
        {
            throw new ArgumentException($"Row has {features.Length} features; this shard has {_features}.", nameof(features));
        }

        // Rows are gathered into a 1 MiB buffer: hashing and writing a few dozen bytes at a time costs more than the data.
        var bytes = MemoryMarshal.AsBytes(features);
        if (_buffered + bytes.Length > _buffer.Length)
        {
            FlushBuffer();
        }

        if (bytes.Length > _buffer.Length)
        {
            _hash.AppendData(bytes);
            _stream.Write(bytes);
        }
        else
        {
            bytes.CopyTo(_buffer.AsSpan(_buffered));
            _buffered += bytes.Length;
        }

        _targets.Add(target);
    }

    /// <summary>Writes targets, header and checksum; the stream is left positioned at its end.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _completed = true;
        FlushBuffer();
        var targets = MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(_targets));
        _hash.AppendData(targets);
        _stream.Write(targets);

        Span<byte> header = stackalloc byte[ShardFile.HeaderSize];
        header.Clear();
        ShardFile.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], ShardFile.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], ShardFile.HeaderSize);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], _targets.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], _features);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], _outputs);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], _task);
        _hash.AppendData(header);
        _stream.Write(_hash.GetHashAndReset());
        var end = _stream.Position;
        _stream.Position = 0;
        _stream.Write(header);
        _stream.Position = end;
        _stream.Flush();
    }

    private void FlushBuffer()
    {
        _hash.AppendData(_buffer, 0, _buffered);
        _stream.Write(_buffer, 0, _buffered);
        _buffered = 0;
    }

    public void Dispose()
    {
        _hash.Dispose();
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }
}
