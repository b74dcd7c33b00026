using Pipeline.Contracts;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Schema;

namespace Pipeline.Ingest.IntegrationTests;

/// <summary>
/// A public data set shipped as Parquet by another tool (vega-datasets' flights-3m: 3,000,000 US flights of 2001),
/// read whole by Ingest's validation pass. test.sh installs the npm package and names the file in
/// PIPELINE_TEST_PARQUET.
/// </summary>
public sealed class PublicParquetTests
{
    [Fact]
    public void The_flights_file_reads_whole_with_its_declared_kinds_and_its_first_flight()
    {
        var path = Environment.GetEnvironmentVariable("PIPELINE_TEST_PARQUET");
        Assert.True(path is not null && File.Exists(path), "PIPELINE_TEST_PARQUET must name vega-datasets' flights-3m.parquet (test.sh installs it)");

        using (var source = CsvSource.OpenFile(path, new CsvLimits()))
        {
            Assert.Equal(DataFileFormat.Parquet, source.Format);
            Assert.True(source.MoveNext());
            var row = source.Current;
            // The data set's first record: a Las Vegas to Philadelphia flight at 00:01 on 1 January 2001, 33 minutes late.
            Assert.True(ValueParser.TryDate(row[0], out var date));
            Assert.Equal(new DateTime(2001, 1, 1, 0, 1, 0, DateTimeKind.Utc), date);
            Assert.True(row.TryNumber(1, out var delay) && delay == 33);
            Assert.True(row.TryNumber(2, out var distance) && distance == 2176);
            Assert.Equal("LAS", row[3].ToString());
            Assert.Equal("PHL", row[4].ToString());
        }

        using var whole = CsvSource.OpenFile(path, new CsvLimits());
        var scan = DatasetScanner.Scan(whole, new JobSpec { Target = "delay" }, new ScanOptions());
        Assert.Equal(3_000_000, scan.Rows);
        Assert.Equal(["date", "delay", "distance", "origin", "destination"], scan.Columns.Select(c => c.Name));
        Assert.Equal([ColumnKind.Date, ColumnKind.Numeric, ColumnKind.Numeric, ColumnKind.Categorical, ColumnKind.Categorical], scan.Columns.Select(c => c.Kind));
        Assert.Equal(TaskKind.Regression, scan.ResolvedSpec.Task);
        Assert.Equal(0, scan.Columns.Sum(c => c.Missing));
        Assert.Equal(13_493_022, scan.Bytes);
    }
}
