using Parquet;
using Parquet.Schema;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Text;

namespace Pipeline.Tabular.Parquet;

/// <summary>
/// A Parquet file read one row group at a time (the whole group's columns in memory, never the whole file), with the
/// same limits and messages as a CSV file. Columns must be flat (no lists, maps or structs). Positions in messages are
/// the line the row would have in the same table written as CSV with a header: data row 1 is line 2.
/// </summary>
/// <remarks>
/// Parquet.Net is managed code, so a corrupt or hostile file ends in an exception we turn into a rejection, never in
/// a crashed process. Its API is asynchronous; the file is local and the callers read rows synchronously, so each row
/// group is awaited in place.
/// </remarks>
internal sealed class ParquetTable : IDisposable
{
    /// <summary>
    /// Cells (rows × columns) one row group may hold: a row group is decoded whole, and a small file can declare a
    /// huge one (all-null or dictionary pages compress to almost nothing).
    /// </summary>
    public const long MaxRowGroupCells = 50_000_000;

    private static readonly ParquetOptions Options = new() { TreatByteArrayAsString = true };

    private readonly ParquetReader _reader;
    private readonly DataField[] _fields;
    private readonly string _file;
    private readonly int _maxValueChars;
    private ParquetColumn[] _columns = [];
    private int _group = -1;
    private long _groupRows;
    private long _index;
    private long _rowsBefore;

    private ParquetTable(ParquetReader reader, DataField[] fields, string file, int maxValueChars, long rows)
    {
        _reader = reader;
        _fields = fields;
        _file = file;
        _maxValueChars = maxValueChars;
        Rows = rows;
        Columns = [.. fields.Select(f => f.Name.Trim())];
    }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>Data rows the file declares.</summary>
    public long Rows { get; }

    /// <summary>The current row's line, as if the table were CSV with a header.</summary>
    public int Line => (int)Math.Min(int.MaxValue, _rowsBefore + _index + 2);

    /// <summary>True when the stream starts with Parquet's magic bytes.</summary>
    public static bool IsParquet(ReadOnlySpan<byte> start) => start.StartsWith("PAR1"u8);

    /// <summary>Opens a seekable stream (takes ownership of it) and checks the schema against the limits.</summary>
    public static ParquetTable Open(Stream stream, string file, CsvLimits limits)
    {
        ParquetReader reader;
        try
        {
            reader = ParquetReader.CreateAsync(stream, Options, leaveStreamOpen: false).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            stream.Dispose();
            throw Corrupt(file, ex);
        }

        try
        {
            var fields = CheckSchema(reader.Schema, file, limits.MaxColumns);
            long rows = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                var groupRows = reader.RowGroups[g].RowCount;
                if (groupRows * fields.Length > MaxRowGroupCells)
                {
                    throw new DatasetValidationException(file, $"row group {g + 1} holds {groupRows:N0} rows of {fields.Length} columns, more than the {MaxRowGroupCells:N0} cells read at once; write the file with smaller row groups (e.g. 1,000,000 rows).");
                }

                rows += groupRows;
            }

            if (rows > limits.MaxRows)
            {
                throw new DatasetValidationException(file, $"the file has {rows:N0} data rows, more than the limit of {limits.MaxRows} (setting Pipeline:Ingest:MaxRows).");
            }

            return new ParquetTable(reader, fields, file, limits.MaxLineBytes, rows);
        }
        catch
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public ReadOnlySpan<char> Text(int column) => _columns[column].Text((int)_index);

    public Schema.DeclaredType DeclaredType(int column) => ParquetColumnReader.DeclaredType(_fields[column]);

    public bool TryNumber(int column, out double value) => _columns[column].TryNumber((int)_index, out value);

    public bool MoveNext()
    {
        _index++;
        while (_index >= _groupRows)
        {
            if (_group + 1 >= _reader.RowGroupCount)
            {
                return false;
            }

            _rowsBefore += _groupRows;
            _group++;
            _index = 0;
            _groupRows = _reader.RowGroups[_group].RowCount;
            _columns = _groupRows == 0 ? [] : ReadGroup(_group);
        }

        return true;
    }

    public void Dispose() => _reader.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private ParquetColumn[] ReadGroup(int group)
    {
        var rowGroup = _reader.OpenRowGroupReader(group);
        var rows = checked((int)_groupRows);
        var columns = new ParquetColumn[_fields.Length];
        for (var c = 0; c < _fields.Length; c++)
        {
            try
            {
                columns[c] = ParquetColumnReader.ReadAsync(rowGroup, _fields[c], rows).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException and not DatasetValidationException)
            {
                throw new DatasetValidationException(_file, $"row group {group + 1} could not be decoded ({SafeText.Echo(ex.Message)}); the file is corrupt or uses an encoding this reader does not support.", column: _fields[c].Name);
            }

            if (columns[c] is TextColumn text)
            {
                CheckLengths(text, rows, c);
            }
        }

        return columns;
    }

    private void CheckLengths(TextColumn column, int rows, int ordinal)
    {
        for (var r = 0; r < rows; r++)
        {
            if (column.Text(r).Length > _maxValueChars)
            {
                throw new DatasetValidationException(_file, $"the value has more than the limit of {_maxValueChars} characters (setting Pipeline:Ingest:MaxLineBytes).", _rowsBefore + r + 2, _fields[ordinal].Name);
            }
        }
    }

    private static DataField[] CheckSchema(ParquetSchema schema, string file, int maxColumns)
    {
        if (schema.Fields.Count > maxColumns)
        {
            throw new DatasetValidationException(file, $"the file has {schema.Fields.Count} columns, more than the limit of {maxColumns} (setting Pipeline:Ingest:MaxColumns).");
        }

        var fields = new List<DataField>(schema.Fields.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in schema.Fields)
        {
            if (field is not DataField data || data.IsArray || data.MaxRepetitionLevel > 0)
            {
                throw new DatasetValidationException(file, $"the column is a {field.SchemaType.ToString().ToLowerInvariant()} of values, not one value per row; flatten it into plain columns before ingesting.", column: field.Name);
            }

            if (data.Name.Trim().Length == 0 || !seen.Add(data.Name.Trim()))
            {
                throw new DatasetValidationException(file, $"column names must be unique and not empty ('{SafeText.Echo(data.Name)}').");
            }

            if (!ParquetColumnReader.Supports(data))
            {
                throw new DatasetValidationException(file, $"the column's type ({data.ClrType.Name}) cannot be used as a feature; drop it or convert it to a number, text or date.", column: data.Name);
            }

            fields.Add(data);
        }

        if (fields.Count < 2)
        {
            throw new DatasetValidationException(file, "the file has a single column; a data set needs at least one feature and a target.");
        }

        return [.. fields];
    }

    private static DatasetValidationException Corrupt(string file, Exception ex) =>
        new(file, $"the file starts like Parquet but could not be opened ({SafeText.Echo(ex.Message)}); it is corrupt or truncated.");
}
