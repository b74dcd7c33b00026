using System.Globalization;
using ParquetSharp;
using Pipeline.Contracts;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Schema;

namespace Pipeline.Tabular.Tests;

/// <summary>
/// Parquet files written by Apache Arrow's C++ writer (through ParquetSharp), read by our managed reader: the rows,
/// the kinds and the limits must come out as they do for the same table written as CSV.
/// </summary>
public sealed class ParquetSourceTests : IDisposable
{
    private static readonly string[] Cities = ["Oslo", "Lima", "Pune", "Kyiv"];
    private readonly string _folder = Directory.CreateTempSubdirectory("parquet-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_file_from_another_writer_reads_row_by_row_across_row_groups_with_numbers_text_dates_and_nulls()
    {
        var path = WriteMixed(rowGroups: [3, 2]);

        using var source = CsvSource.OpenFile(path, new CsvLimits());
        Assert.Equal(DataFileFormat.Parquet, source.Format);
        Assert.Equal(["id", "price", "city", "seen", "day", "member"], source.Columns);

        var lines = new List<int>();
        var rows = new List<string>();
        while (source.MoveNext())
        {
            var row = source.Current;
            lines.Add(row.Line);
            Assert.True(row.TryNumber(0, out var id));
            Assert.Equal(id.ToString(CultureInfo.InvariantCulture), row[0].ToString());
            var price = row.TryNumber(1, out var p) ? p.ToString("R", CultureInfo.InvariantCulture) : "missing:" + row[1].ToString();
            Assert.False(row.TryNumber(2, out _));
            Assert.True(ValueParser.TryDate(row[3], out var seen));
            Assert.True(ValueParser.TryDate(row[4], out var day));
            rows.Add($"{id}|{price}|{row[2]}|{seen:O}|{day:yyyy-MM-dd}|{row[5]}");
        }

        Assert.Equal([2, 3, 4, 5, 6], lines);
        Assert.Equal(
            [
                "0|missing:|Oslo|2024-03-01T00:00:00.0000000Z|2024-03-01|true",
                "1|1.5|Lima|2024-03-01T06:30:00.0000000Z|2024-03-02|false",
                "2|3|Pune|2024-03-01T13:00:00.0000000Z|2024-03-03|",
                "3|4.5|Kyiv|2024-03-01T19:30:00.0000000Z|2024-03-04|true",
                "4|missing:|Oslo|2024-03-02T02:00:00.0000000Z|2024-03-05|false",
            ],
            rows);
    }

    [Fact]
    public void The_scanner_infers_the_same_kinds_and_counts_from_parquet_as_from_the_same_table_in_csv()
    {
        var parquet = WriteMixed(rowGroups: [40, 30, 30]);
        var csv = Path.Combine(_folder, "same.csv");
        using (var source = CsvSource.OpenFile(parquet, new CsvLimits()))
        using (var writer = new StreamWriter(csv))
        {
            writer.WriteLine(string.Join(',', source.Columns));
            while (source.MoveNext())
            {
                var row = source.Current;
                var fields = new string[source.Columns.Count];
                for (var c = 0; c < fields.Length; c++)
                {
                    fields[c] = row[c].ToString();
                }

                writer.WriteLine(string.Join(',', fields));
            }
        }

        var spec = new JobSpec { Target = "price" };
        var fromParquet = Scan(parquet, spec);
        var fromCsv = Scan(csv, spec);

        Assert.Equal(100, fromParquet.Rows);
        Assert.Equal(fromCsv.Columns, fromParquet.Columns);
        Assert.Equal(
            [ColumnKind.Numeric, ColumnKind.Numeric, ColumnKind.Categorical, ColumnKind.Date, ColumnKind.Date, ColumnKind.Boolean],
            fromParquet.Columns.Select(c => c.Kind));
        Assert.Equal(TaskKind.Regression, fromParquet.ResolvedSpec.Task);
    }

    [Fact]
    public void A_text_column_of_digit_codes_stays_categorical_where_the_same_values_in_csv_read_as_numbers()
    {
        var path = Path.Combine(_folder, "codes.parquet");
        string[] codes = ["00123", "00456", "07001", "00123"];
        using (var file = new ParquetFileWriter(path, [new Column<string>("zip"), new Column<int>("count"), new Column<double>("y")]))
        {
            using var group = file.AppendRowGroup();
            using (var w = group.NextColumn().LogicalWriter<string>())
            {
                w.WriteBatch(codes);
            }

            using (var w = group.NextColumn().LogicalWriter<int>())
            {
                w.WriteBatch([1, 2, 3, 4]);
            }

            using (var w = group.NextColumn().LogicalWriter<double>())
            {
                w.WriteBatch([1.5, 2.5, 3.5, 4.5]);
            }

            file.Close();
        }

        var csv = Path.Combine(_folder, "codes.csv");
        File.WriteAllText(csv, "zip,count,y\n" + string.Concat(codes.Select((c, i) => $"{c},{i + 1},{i + 1.5}\n")));
        var spec = new JobSpec { Target = "y" };
        var fromParquet = Scan(path, spec);
        var fromCsv = Scan(csv, spec);

        // The file says the codes are text: they stay categories (a CSV cannot say so, and its values read as numbers).
        Assert.Equal([ColumnKind.Categorical, ColumnKind.Numeric, ColumnKind.Numeric], fromParquet.Columns.Select(c => c.Kind));
        Assert.Equal(ColumnKind.Numeric, fromCsv.Columns[0].Kind);
    }

    [Fact]
    public void A_list_column_is_refused_with_its_name()
    {
        var path = Path.Combine(_folder, "nested.parquet");
        using (var file = new ParquetFileWriter(path, [new Column<int>("y"), new Column<int[]>("tags")]))
        {
            using var group = file.AppendRowGroup();
            using (var w = group.NextColumn().LogicalWriter<int>())
            {
                w.WriteBatch([1, 2]);
            }

            using (var w = group.NextColumn().LogicalWriter<int[]>())
            {
                w.WriteBatch([[1, 2], [3]]);
            }

            file.Close();
        }

        var ex = Assert.Throws<DatasetValidationException>(() => CsvSource.OpenFile(path, new CsvLimits(), "nested.parquet"));
        Assert.Equal("tags", ex.Column);
        Assert.Contains("flatten", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_rows_are_refused_on_open_from_the_row_group_counts()
    {
        var path = WriteMixed(rowGroups: [3, 2]);

        var ex = Assert.Throws<DatasetValidationException>(() => CsvSource.OpenFile(path, new CsvLimits { MaxRows = 4 }, "big.parquet"));
        Assert.Contains("Pipeline:Ingest:MaxRows", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_or_corrupt_file_is_a_validation_error_not_a_crash()
    {
        var whole = File.ReadAllBytes(WriteMixed(rowGroups: [50]));
        var truncated = Path.Combine(_folder, "truncated.parquet");
        File.WriteAllBytes(truncated, whole[..(whole.Length / 2)]);
        var ex = Assert.Throws<DatasetValidationException>(() => CsvSource.OpenFile(truncated, new CsvLimits(), "truncated.parquet"));
        Assert.StartsWith("truncated.parquet: ", ex.Message, StringComparison.Ordinal);

        // Pages overwritten in the middle: the footer still opens, the rows cannot be decoded.
        var scrambled = (byte[])whole.Clone();
        new Random(7).NextBytes(scrambled.AsSpan(8, Math.Min(400, scrambled.Length / 3)));
        var path = Path.Combine(_folder, "scrambled.parquet");
        File.WriteAllBytes(path, scrambled);
        Assert.Throws<DatasetValidationException>(() =>
        {
            using var source = CsvSource.OpenFile(path, new CsvLimits(), "scrambled.parquet");
            while (source.MoveNext())
            {
                _ = source.Current[2].ToString();
            }
        });
    }

    private static DatasetScan Scan(string path, JobSpec spec)
    {
        using var source = CsvSource.OpenFile(path, new CsvLimits());
        return DatasetScanner.Scan(source, spec, new ScanOptions());
    }

    /// <summary>
    /// Integers, doubles with nulls, dictionary-encoded strings, UTC timestamps with times, dates and nullable booleans,
    /// in row groups of the given sizes.
    /// </summary>
    private string WriteMixed(int[] rowGroups)
    {
        var path = Path.Combine(_folder, $"mixed-{Guid.NewGuid():N}.parquet");
        Column[] columns =
        [
            new Column<long>("id"),
            new Column<double?>("price"),
            new Column<string>("city"),
            new Column<DateTime>("seen", LogicalType.Timestamp(isAdjustedToUtc: true, TimeUnit.Micros)),
            new Column<Date>("day"),
            new Column<bool?>("member"),
        ];
        using var file = new ParquetFileWriter(path, columns);
        var start = 0;
        foreach (var size in rowGroups)
        {
            var ids = Enumerable.Range(start, size).ToArray();
            using var group = file.AppendRowGroup();
            using (var w = group.NextColumn().LogicalWriter<long>())
            {
                w.WriteBatch([.. ids.Select(i => (long)i)]);
            }

            using (var w = group.NextColumn().LogicalWriter<double?>())
            {
                w.WriteBatch([.. ids.Select(i => i % 4 == 0 ? (double?)null : i * 1.5)]);
            }

            using (var w = group.NextColumn().LogicalWriter<string>())
            {
                w.WriteBatch([.. ids.Select(i => Cities[i % Cities.Length])]);
            }

            using (var w = group.NextColumn().LogicalWriter<DateTime>())
            {
                w.WriteBatch([.. ids.Select(i => new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i * 390))]);
            }

            using (var w = group.NextColumn().LogicalWriter<Date>())
            {
                w.WriteBatch([.. ids.Select(i => new Date(new DateTime(2024, 3, 1).AddDays(i)))]);
            }

            using (var w = group.NextColumn().LogicalWriter<bool?>())
            {
                w.WriteBatch([.. ids.Select(i => i % 3 == 2 ? (bool?)null : i % 3 == 0)]);
            }

            start += size;
        }

        file.Close();
        return path;
    }
}
