using System.IO.Compression;
using System.Text;
using System.Text.Unicode;
using nietras.SeparatedValues;
using Pipeline.Tabular.Parquet;
using Pipeline.Tabular.Text;

namespace Pipeline.Tabular.Csv;

/// <summary>
/// An opened data file, CSV or Parquet (told apart by its first bytes), read one pass, streaming, with
/// <see cref="MoveNext"/> and <see cref="Current"/>.
/// CSV: gzip detected by its magic bytes, limits and binary content guarded, UTF-8 with or without BOM, separator
/// (comma, semicolon or tab) detected from the header line, quoted fields (with embedded separators, quotes and
/// newlines) unescaped by Sep, CRLF or LF; the header is read and checked on open.
/// Parquet (from a seekable stream): flat columns in their own types, one row group in memory at a time
/// (<see cref="ParquetTable"/>); numbers reach <see cref="CsvRow.TryNumber"/> without a text round trip.
/// </summary>
public sealed class CsvSource : IDisposable
{
    private const int SniffBytes = 64 * 1024;

    // The header is the first line (Sep reports line numbers of the first row one too high).
    private const int HeaderLineNumber = 1;
    private static readonly char[] Candidates = [',', ';', '\t'];

    private readonly SepReader? _reader;
    private readonly InputGuardStream? _guard;
    private readonly ParquetTable? _parquet;
    private readonly long _parquetBytes;

    private readonly long _maxRows;
    private long _rows;

    private CsvSource(string file, SepReader reader, InputGuardStream guard, IReadOnlyList<string> columns, char separator, bool compressed, long maxRows)
    {
        _maxRows = maxRows;
        File = file;
        _reader = reader;
        _guard = guard;
        Columns = columns;
        Separator = separator;
        Compressed = compressed;
    }

    private CsvSource(string file, ParquetTable parquet, long bytes)
    {
        File = file;
        _parquet = parquet;
        _parquetBytes = bytes;
        _maxRows = long.MaxValue; // checked against the row groups' counts on open
        Columns = parquet.Columns;
        Separator = ',';
    }

    /// <summary>The name used in every error message (the object key or file name).</summary>
    public string File { get; }

    public IReadOnlyList<string> Columns { get; }

    public char Separator { get; }

    public bool Compressed { get; }

    public DataFileFormat Format => _parquet is null ? DataFileFormat.Csv : DataFileFormat.Parquet;

    /// <summary>The type the file declares for column <paramref name="column"/> (Parquet); null for CSV, where the values decide.</summary>
    public Schema.DeclaredType? DeclaredType(int column) => _parquet?.DeclaredType(column);

    /// <summary>Uncompressed bytes read so far (for Parquet, the file's size).</summary>
    public long BytesRead => _guard?.BytesRead ?? _parquetBytes;

    /// <summary>Opens a data file on disk.</summary>
    public static CsvSource OpenFile(string path, CsvLimits limits, string? displayName = null) =>
        Open(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan), displayName ?? Path.GetFileName(path), limits);

    /// <summary>Opens a data stream (takes ownership of it) and reads and checks the header.</summary>
    public static CsvSource Open(Stream raw, string file, CsvLimits limits)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(limits);
        Stream? owned = raw;
        try
        {
            var magic = new byte[4];
            var got = raw.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
            if (ParquetTable.IsParquet(magic.AsSpan(0, got)))
            {
                owned = null;
                return OpenParquet(raw, file, limits);
            }

            var compressed = got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            Stream stream = new PrefixedStream(magic.AsMemory(0, got), raw);
            if (compressed)
            {
                stream = new GZipStream(stream, CompressionMode.Decompress);
            }

            var guard = new InputGuardStream(stream, file, limits, compressed);
            owned = guard;
            var sniff = new byte[SniffBytes];
            var sniffed = ReadSniff(guard, sniff, file);
            var text = sniff.AsSpan(0, sniffed);
            var separator = CheckTextAndDetectSeparator(text, file);

            var reader = Sep.Reader(o => o with
            {
                Sep = new Sep(separator),
                HasHeader = false, // the header is read as a row so duplicate or empty names get our own message
                Unescape = true,
                DisableColCountCheck = true, // ragged rows get our own message, with the line
                CultureInfo = System.Globalization.CultureInfo.InvariantCulture,
            }).From(new StreamReader(new PrefixedStream(sniff.AsMemory(0, sniffed), guard), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16));

            if (!reader.MoveNext())
            {
                throw new DatasetValidationException(file, "the file is empty.");
            }

            var columns = ReadHeader(reader.Current, file, limits.MaxColumns);
            owned = null;
            return new CsvSource(file, reader, guard, columns, separator, compressed, limits.MaxRows);
        }
        catch (InvalidDataException ex)
        {
            throw new DatasetValidationException(file, $"the gzip data is corrupt ({ex.Message}).");
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>The row read by the last successful <see cref="MoveNext"/>.</summary>
    public CsvRow Current => _parquet is null ? new(_reader!.Current) : new(_parquet);

    /// <summary>
    /// Reads the next data row. Blank lines are skipped; a row whose field count differs from the header's is an
    /// error naming its line.
    /// </summary>
    public bool MoveNext()
    {
        if (_parquet is not null)
        {
            return _parquet.MoveNext();
        }

        var reader = _reader!;
        var columns = Columns.Count;
        while (true)
        {
            bool more;
            try
            {
                more = reader.MoveNext();
            }
            catch (InvalidDataException ex)
            {
                throw new DatasetValidationException(File, $"the gzip data is corrupt ({ex.Message}).");
            }

            if (!more)
            {
                return false;
            }

            var row = reader.Current;
            if (row.ColCount == 1 && row.Span.Trim().IsEmpty)
            {
                continue;
            }

            if (++_rows > _maxRows)
            {
                throw new DatasetValidationException(File, $"the file has more than the limit of {_maxRows} data rows (setting Pipeline:Ingest:MaxRows).", row.LineNumberFrom);
            }

            if (row.ColCount != columns)
            {
                throw new DatasetValidationException(File, $"the row has {row.ColCount} fields but the header has {columns} columns (a missing or extra '{Printable(Separator)}', or an unclosed quote).", row.LineNumberFrom);
            }

            return true;
        }
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _guard?.Dispose();
        _parquet?.Dispose();
    }

    /// <summary>Parquet keeps its index at the end of the file: the stream must seek (a file on disk does).</summary>
    private static CsvSource OpenParquet(Stream raw, string file, CsvLimits limits)
    {
        if (!raw.CanSeek)
        {
            raw.Dispose();
            throw new DatasetValidationException(file, "Parquet data can only be read from a file (it keeps its index at the end); save it to disk first.");
        }

        raw.Position = 0;
        var bytes = raw.Length;
        return new CsvSource(file, ParquetTable.Open(raw, file, limits), bytes);
    }

    private static int ReadSniff(Stream stream, byte[] buffer, string file)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException ex)
        {
            throw new DatasetValidationException(file, $"the gzip data is corrupt ({ex.Message}).");
        }
    }

    internal static char CheckTextAndDetectSeparator(ReadOnlySpan<byte> text, string file)
    {
        if (text.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            text = text[3..];
        }

        if (text.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new DatasetValidationException(file, "the file is empty.");
        }

        // The sniffed block may end inside a multi-byte character: only whole characters are judged.
        var whole = text;
        for (var back = 0; back < 3 && whole.Length > 0 && !Utf8.IsValid(whole); back++)
        {
            whole = whole[..^1];
        }

        if (!Utf8.IsValid(whole))
        {
            var bad = FirstInvalidUtf8(text);
            var line = text[..bad].Count((byte)'\n') + 1;
            throw new DatasetValidationException(file, $"byte {bad} is not valid UTF-8 text: this looks like binary data (or a file in another encoding); save it as UTF-8 CSV.", line);
        }

        var headerLine = HeaderLine(text);
        var best = ',';
        var bestCount = 0;
        foreach (var c in Candidates)
        {
            var count = CountOutsideQuotes(headerLine, (byte)c);
            if (count > bestCount)
            {
                best = c;
                bestCount = count;
            }
        }

        return best;
    }

    private static ReadOnlySpan<byte> HeaderLine(ReadOnlySpan<byte> text)
    {
        var inQuotes = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (text[i] == '\n' && !inQuotes)
            {
                return text[..i];
            }
        }

        return text;
    }

    private static int CountOutsideQuotes(ReadOnlySpan<byte> line, byte separator)
    {
        var inQuotes = false;
        var count = 0;
        foreach (var b in line)
        {
            if (b == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (b == separator && !inQuotes)
            {
                count++;
            }
        }

        return count;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> text)
    {
        var status = Utf8.ToUtf16(text, new char[text.Length], out var read, out _, replaceInvalidSequences: false);
        return status == System.Buffers.OperationStatus.InvalidData ? read : text.Length;
    }

    private static List<string> ReadHeader(SepReader.Row header, string file, int maxColumns)
    {
        if (header.ColCount > maxColumns)
        {
            throw new DatasetValidationException(file, $"the header has {header.ColCount} columns, more than the limit of {maxColumns} (setting Pipeline:Ingest:MaxColumns).", HeaderLineNumber);
        }

        var names = new List<string>(header.ColCount);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.ColCount; i++)
        {
            var name = header[i].Span.Trim().ToString();
            if (name.Length == 0)
            {
                throw new DatasetValidationException(file, $"column {i + 1} of the header has an empty name; every column needs a name.", HeaderLineNumber);
            }

            if (!seen.TryAdd(name, i))
            {
                throw new DatasetValidationException(file, $"column name '{SafeText.Echo(name)}' appears twice in the header (columns {seen[name] + 1} and {i + 1}); names must be unique.", HeaderLineNumber);
            }

            names.Add(name);
        }

        if (names.Count < 2)
        {
            throw new DatasetValidationException(file, $"the header has a single column ('{SafeText.Echo(names[0])}'); a data set needs at least one feature and a target, separated by ',', ';' or a tab.", HeaderLineNumber);
        }

        return names;
    }

    private static string Printable(char c) => c == '\t' ? "tab" : c.ToString();
}

/// <summary>The current row of a <see cref="CsvSource"/>; valid until the next row is read.</summary>
public readonly ref struct CsvRow
{
    private readonly SepReader.Row _row;
    private readonly ParquetTable? _parquet;

    public CsvRow(SepReader.Row row) => _row = row;

    internal CsvRow(ParquetTable parquet) => _parquet = parquet;

    /// <summary>1-based line where the row starts (for Parquet, the line it would have as CSV with a header).</summary>
    public int Line => _parquet?.Line ?? _row.LineNumberFrom;

    /// <summary>
    /// Unescaped text of field <paramref name="column"/> (for Parquet, the value as CSV would write it; valid until
    /// the same column is read again).
    /// </summary>
    public ReadOnlySpan<char> this[int column] => _parquet is null ? _row[column].Span : _parquet.Text(column);

    /// <summary>
    /// The field as a finite number through Sep's fast float parser (several times faster than double.TryParse,
    /// and correctly rounded like it). False for anything else, including values with blanks around them: callers
    /// fall back to <see cref="Schema.ValueParser"/> for those, so the accepted set is the same.
    /// </summary>
    public bool TryNumber(int column, out double value) => _parquet is null
        ? _row[column].TryParse(out value) && double.IsFinite(value)
        : _parquet.TryNumber(column, out value);
}

/// <summary>The format of a data file, told by its first bytes.</summary>
public enum DataFileFormat
{
    Csv,
    Parquet,
}
