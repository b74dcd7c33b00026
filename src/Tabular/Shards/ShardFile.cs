using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Pipeline.Tabular.Shards;

/// <summary>
/// The binary file Preprocess writes (training shards, validation and test splits) and the training workers read
/// directly into the numerics engine. Little-endian layout:
/// <code>
/// offset 0   "PLSH"            magic
///        4   u16 version (1)   u16 header size (32)
///        8   i64 rows
///       16   i32 features      i32 outputs (regression: 1; classification: number of classes)
///       24   i32 task (1 regression, 2 classification)   i32 reserved (0)
///       32   float32[rows * features]  features, row-major
///            float32[rows]             targets (regression: the value; classification: the class index)
///            32 bytes                  SHA-256 of (features, targets, header) in that order
/// </code>
/// The header is hashed last so the writer can stream rows and fill in the row count at the end in one pass.
/// </summary>
public static class ShardFile
{
    public const int Version = 1;
    public const int HeaderSize = 32;
    public const int ChecksumSize = 32;
    internal static ReadOnlySpan<byte> Magic => "PLSH"u8;

    /// <summary>Reads and verifies a whole shard; throws <see cref="InvalidDataException"/> on any format or checksum mismatch.</summary>
    public static async Task<ShardData> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        EnsureLittleEndian();
        var header = new byte[HeaderSize];
        await ReadExactlyOrThrow(stream, header, "header", cancellationToken);
        // A shard is loaded whole into one array; more than 2 GiB of features means K is too small for the data.
        var shape = Shape(header);
        long rows = shape.Rows;
        int features = shape.FeatureCount, outputs = shape.Outputs, task = shape.Task;
        var x = new float[rows * features];
        var y = new float[rows];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await ReadFloats(stream, x, hash, "features", cancellationToken);
        await ReadFloats(stream, y, hash, "targets", cancellationToken);
        hash.AppendData(header);
        var expected = new byte[ChecksumSize];
        await ReadExactlyOrThrow(stream, expected, "checksum", cancellationToken);
        var actual = hash.GetHashAndReset();
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            throw new InvalidDataException("Shard checksum mismatch: the file is corrupt or truncated and must not be used.");
        }

        var extra = new byte[1];
        if (await stream.ReadAsync(extra, cancellationToken) != 0)
        {
            throw new InvalidDataException("Shard file has bytes after its checksum.");
        }

        return new ShardData(x, y, (int)rows, features, outputs, task);
    }

    /// <summary>
    /// Reads a shard row by row without holding it: <paramref name="onRow"/> gets each row's features (row index,
    /// features), then <paramref name="onTarget"/> each row's target, in file order (features come before targets in
    /// the file). The checksum is verified at the end: on a mismatch this throws after the callbacks ran, so a caller
    /// must drop what it gathered when it throws. Returns the header's shape (rows, features, outputs, task).
    /// </summary>
    public static async Task<ShardData> ScanAsync(Stream stream, Action<ShardData> onHeader, RowAction onRow, Action<long, float> onTarget, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(onHeader);
        ArgumentNullException.ThrowIfNull(onRow);
        ArgumentNullException.ThrowIfNull(onTarget);
        EnsureLittleEndian();
        var header = new byte[HeaderSize];
        await ReadExactlyOrThrow(stream, header, "header", cancellationToken);
        var shape = Shape(header);
        onHeader(shape);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var width = Math.Max(shape.FeatureCount, 1);
        var rowsPerChunk = Math.Max(1, (1 << 20) / (width * sizeof(float)));
        var chunk = new float[rowsPerChunk * shape.FeatureCount];
        var buffer = new byte[Math.Max(chunk.Length, 1 << 18) * sizeof(float)];
        for (long row = 0; row < shape.Rows; row += rowsPerChunk)
        {
            var rows = (int)Math.Min(rowsPerChunk, shape.Rows - row);
            var bytes = buffer.AsMemory(0, rows * shape.FeatureCount * sizeof(float));
            await ReadExactlyOrThrow(stream, bytes, "features", cancellationToken);
            hash.AppendData(bytes.Span);
            bytes.Span.CopyTo(MemoryMarshal.AsBytes(chunk.AsSpan()));
            for (var i = 0; i < rows; i++)
            {
                onRow(row + i, chunk.AsSpan(i * shape.FeatureCount, shape.FeatureCount));
            }
        }

        var targets = new float[Math.Min(shape.Rows, 1 << 18)];
        for (long row = 0; row < shape.Rows; row += targets.Length)
        {
            var rows = (int)Math.Min(targets.Length, shape.Rows - row);
            var bytes = buffer.AsMemory(0, rows * sizeof(float));
            await ReadExactlyOrThrow(stream, bytes, "targets", cancellationToken);
            hash.AppendData(bytes.Span);
            bytes.Span.CopyTo(MemoryMarshal.AsBytes(targets.AsSpan()));
            for (var i = 0; i < rows; i++)
            {
                onTarget(row + i, targets[i]);
            }
        }

        hash.AppendData(header);
        var expected = new byte[ChecksumSize];
        await ReadExactlyOrThrow(stream, expected, "checksum", cancellationToken);
        if (!CryptographicOperations.FixedTimeEquals(hash.GetHashAndReset(), expected))
        {
            throw new InvalidDataException("Shard checksum mismatch: the file is corrupt or truncated and must not be used.");
        }

        return shape;
    }

    /// <summary>What <see cref="ScanAsync"/> hands over for each row: its index and features.</summary>
    public delegate void RowAction(long row, ReadOnlySpan<float> features);

    /// <summary>Bytes of features a shard may hold: it is loaded whole into one array, indexed by <see cref="int"/>.</summary>
    public const long MaxLoadedFeatureBytes = int.MaxValue;

    /// <summary>The fewest shards that keep each of them loadable, for <paramref name="rows"/> rows of <paramref name="features"/> features.</summary>
    public static long MinShardsFor(long rows, int features)
    {
        var perShard = Math.Max(1, MaxLoadedFeatureBytes / ((long)Math.Max(features, 1) * sizeof(float)));
        return (rows + perShard - 1) / perShard;
    }

    /// <summary>The shape in a header (no data), after checking magic, version and sizes.</summary>
    private static ShardData Shape(byte[] header)
    {
        if (!header.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a shard file: the magic bytes 'PLSH' are missing.");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(4));
        var headerSize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6));
        if (version != Version || headerSize != HeaderSize)
        {
            throw new InvalidDataException($"Shard file version {version} (header {headerSize} bytes) is not supported; this reader reads version {Version}.");
        }

        var rows = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
        var features = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(16));
        var outputs = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(20));
        var task = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(24));
        if (rows < 0 || features < 0 || outputs < 1 || rows * Math.Max(features, 1) * sizeof(float) > MaxLoadedFeatureBytes)
        {
            throw new InvalidDataException($"Shard header is inconsistent: rows={rows}, features={features}, outputs={outputs}.");
        }

        return new ShardData([], [], (int)rows, features, outputs, task);
    }

    /// <summary>Reads and verifies a shard file on disk.</summary>
    public static async Task<ShardData> ReadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            return await ReadAsync(stream, cancellationToken);
        }
    }

    internal static void EnsureLittleEndian()
    {
        // Floats are copied as raw bytes; a big-endian host would need byte swapping, which nobody runs today.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Shard files are little-endian; this host is not.");
        }
    }

    private static async Task ReadFloats(Stream stream, float[] target, IncrementalHash hash, string what, CancellationToken cancellationToken)
    {
        // Bounded chunks: the hash sees the bytes as they arrive, then they land in the float array as they are.
        var buffer = new byte[1 << 20];
        var total = (long)target.Length * sizeof(float);
        long done = 0;
        while (done < total)
        {
            var n = (int)Math.Min(buffer.Length, total - done);
            await ReadExactlyOrThrow(stream, buffer.AsMemory(0, n), what, cancellationToken);
            hash.AppendData(buffer, 0, n);
            buffer.AsSpan(0, n).CopyTo(MemoryMarshal.AsBytes(target.AsSpan())[(int)done..]);
            done += n;
        }
    }

    private static async Task ReadExactlyOrThrow(Stream stream, Memory<byte> buffer, string what, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"Shard file is truncated (in its {what}).", ex);
        }
    }
}

/// <summary>A shard in memory, as the numerics engine takes it: row-major features and one target per row.</summary>
public sealed record ShardData(float[] Features, float[] Targets, int Rows, int FeatureCount, int Outputs, int Task);
