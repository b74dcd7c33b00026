namespace Pipeline.Tabular.Csv;

/// <summary>
/// Watches the (decompressed) bytes on their way to the parser and stops at the first sign of an input that would
/// exhaust memory or is not text: more bytes than the file or decompressed limit, a record longer than the line
/// limit (the parser would buffer it whole), or a NUL byte (binary content). A record ends at a newline outside
/// quotes, so a quoted field that spans millions of lines is one record and meets the limit too; quotes are
/// counted the way the parser counts them (parity over the record). One vectorised scan per buffer, so it costs little.
/// </summary>
internal sealed class InputGuardStream(Stream inner, string file, CsvLimits limits, bool compressed) : Stream
{
    private long _bytes;
    private long _line = 1;
    private long _recordLine = 1;
    private long _recordBytes;
    private bool _inQuotes;

    public long BytesRead => _bytes;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Check(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        Check(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Check(ReadOnlySpan<byte> data)
    {
        _bytes += data.Length;
        if (!compressed && _bytes > limits.MaxFileBytes)
        {
            throw new DatasetValidationException(file, $"the file is larger than the limit of {limits.MaxFileBytes} bytes (setting Pipeline:Ingest:MaxFileBytes).");
        }

        if (_bytes > limits.MaxDecompressedBytes)
        {
            throw new DatasetValidationException(file, $"the file is larger than the limit of {limits.MaxDecompressedBytes} bytes once decompressed (setting Pipeline:Ingest:MaxDecompressedBytes).");
        }

        while (!data.IsEmpty)
        {
            var i = data.IndexOfAny((byte)'\n', (byte)'"', (byte)0);
            var segment = i < 0 ? data.Length : i;
            _recordBytes += segment;
            if (_recordBytes > limits.MaxLineBytes)
            {
                var what = _line == _recordLine ? "the line is" : $"the record (lines {_recordLine}-{_line}, joined by a quoted field) is";
                throw new DatasetValidationException(file, $"{what} longer than the limit of {limits.MaxLineBytes} bytes (setting Pipeline:Ingest:MaxLineBytes).", _recordLine);
            }

            if (i < 0)
            {
                return;
            }

            switch (data[i])
            {
                case 0:
                    throw new DatasetValidationException(file, "contains a NUL byte: this is binary data, not a text CSV file.", _line);
                case (byte)'"':
                    _inQuotes = !_inQuotes;
                    _recordBytes++;
                    break;
                default:
                    _line++;
                    if (_inQuotes)
                    {
                        _recordBytes++;
                    }
                    else
                    {
                        _recordLine = _line;
                        _recordBytes = 0;
                    }

                    break;
            }

            data = data[(i + 1)..];
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
