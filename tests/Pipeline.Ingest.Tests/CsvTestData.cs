using System.IO.Compression;
using System.Text;
using Pipeline.Contracts;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Schema;

namespace Pipeline.Ingest.Tests;

internal static class CsvTestData
{
    public static CsvSource Open(byte[] bytes, string file = "data.csv", CsvLimits? limits = null) =>
        CsvSource.Open(new MemoryStream(bytes), file, limits ?? new CsvLimits());

    public static CsvSource Open(string text, string file = "data.csv", CsvLimits? limits = null) =>
        Open(Encoding.UTF8.GetBytes(text), file, limits);

    public static DatasetScan Scan(string text, JobSpec? spec = null, ScanOptions? options = null, string file = "data.csv")
    {
        using var source = Open(text, file);
        return DatasetScanner.Scan(source, spec ?? new JobSpec(), options ?? new ScanOptions());
    }

    public static DatasetScan Scan(byte[] bytes, JobSpec? spec = null, string file = "data.csv")
    {
        using var source = Open(bytes, file);
        return DatasetScanner.Scan(source, spec ?? new JobSpec(), new ScanOptions());
    }

    public static DatasetValidationException Rejected(string text, JobSpec? spec = null, CsvLimits? limits = null)
    {
        return Assert.Throws<DatasetValidationException>(() =>
        {
            using var source = Open(text, "data.csv", limits);
            DatasetScanner.Scan(source, spec ?? new JobSpec(), new ScanOptions());
        });
    }

    public static DatasetValidationException Rejected(byte[] bytes)
    {
        return Assert.Throws<DatasetValidationException>(() =>
        {
            using var source = Open(bytes);
            DatasetScanner.Scan(source, new JobSpec(), new ScanOptions());
        });
    }

    public static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    public static List<string[]> ReadAll(CsvSource source)
    {
        var rows = new List<string[]>();
        while (source.MoveNext())
        {
            var row = source.Current;
            var values = new string[source.Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = row[i].ToString();
            }

            rows.Add(values);
        }

        return rows;
    }
}
