using System.Text;
using Pipeline.Contracts;
using Pipeline.Ingest.Spec;
using Pipeline.Tabular.Csv;

namespace Pipeline.Ingest.Tests;

/// <summary>Issue #17: every limit on a data file is an error that names its setting.</summary>
public class InputLimitTests
{
    [Fact]
    public void More_columns_than_the_limit_names_MaxColumns()
    {
        var header = string.Join(',', Enumerable.Range(0, 11).Select(i => $"c{i}"));
        var error = CsvTestData.Rejected(header + "\n" + string.Join(',', Enumerable.Repeat("1", 11)) + "\n", limits: new CsvLimits { MaxColumns = 10 });
        Assert.Contains("11 columns", error.Message, StringComparison.Ordinal);
        Assert.Contains("Pipeline:Ingest:MaxColumns", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_rows_than_the_limit_names_MaxRows()
    {
        var text = "a,y\n" + string.Concat(Enumerable.Range(0, 6).Select(i => $"{i},{i % 2}\n"));
        Assert.Contains("Pipeline:Ingest:MaxRows", CsvTestData.Rejected(text, limits: new CsvLimits { MaxRows = 5 }).Message, StringComparison.Ordinal);
        using var source = CsvTestData.Open(text, limits: new CsvLimits { MaxRows = 6 });
        Assert.Equal(6, CsvTestData.ReadAll(source).Count);
    }

    [Fact]
    public void A_gzip_counts_its_decompressed_bytes_against_MaxDecompressedBytes()
    {
        var text = "a,y\n" + string.Concat(Enumerable.Repeat("1,2\n", 100_000));
        var gzip = CsvTestData.Gzip(text);
        var limits = new CsvLimits { MaxDecompressedBytes = 100_000, MaxFileBytes = 100_000 };
        Assert.True(gzip.Length < limits.MaxFileBytes, "the compressed file is within the stored-size limit");
        var error = Assert.Throws<DatasetValidationException>(() =>
        {
            using var source = CsvTestData.Open(gzip, limits: limits);
            CsvTestData.ReadAll(source);
        });
        Assert.Contains("Pipeline:Ingest:MaxDecompressedBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quoted_field_spanning_many_lines_meets_the_record_limit_and_is_not_echoed()
    {
        var field = string.Concat(Enumerable.Repeat("x\n", 2_000));
        var error = CsvTestData.Rejected($"a,b,y\n1,\"{field}\",2\n", limits: new CsvLimits { MaxLineBytes = 1_000 });
        Assert.Contains("Pipeline:Ingest:MaxLineBytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("joined by a quoted field", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
        Assert.DoesNotContain("x\nx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quoted_newlines_within_the_record_limit_and_escaped_quotes_still_read()
    {
        using var source = CsvTestData.Open("a,b,y\n1,\"two\nlines, \"\"quoted\"\"\",2\n3,plain,4\n", limits: new CsvLimits { MaxLineBytes = 40 });
        var rows = CsvTestData.ReadAll(source);
        Assert.Equal("two\nlines, \"quoted\"", rows[0][1]);
        Assert.Equal(["3", "plain", "4"], rows[1]);
    }

    [Fact]
    public void A_message_echoes_a_long_value_shortened_and_escaped()
    {
        var name = "a\n" + new string('n', 10_000);
        var error = CsvTestData.Rejected($"\"{name}\",\"{name}\"\n1,2\n");
        Assert.Contains("appears twice", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.True(error.Message.Length < 500, $"{error.Message.Length} characters");
    }

    [Fact]
    public void The_network_size_is_checked_against_MaxParameters()
    {
        Assert.Equal((10 + 1) * 64 + 64 + 1, ModelSize.Parameters(10, [64], 1));
        Assert.Null(ModelSize.Check(new TrainingSettings { HiddenLayers = [64] }, 10_000, ModelSize.DefaultMaxParameters));
        var error = ModelSize.Check(new TrainingSettings { HiddenLayers = [8192, 8192, 8192] }, 1, ModelSize.DefaultMaxParameters);
        Assert.Contains("Pipeline:Ingest:MaxParameters", error, StringComparison.Ordinal);
        Assert.NotNull(ModelSize.Check(new TrainingSettings { HiddenLayers = [4096] }, 10_000, ModelSize.DefaultMaxParameters));
        Assert.Equal(long.MaxValue, ModelSize.Parameters(long.MaxValue / 2, [8192], 1));
    }

    [Fact]
    public void The_ingest_options_carry_every_limit_into_the_reader()
    {
        var options = new IngestOptions { MaxColumns = 7, MaxRows = 8, MaxDecompressedBytes = 9, MaxFileBytes = 10, MaxLineBytes = 11 };
        Assert.Equal(new CsvLimits { MaxColumns = 7, MaxRows = 8, MaxDecompressedBytes = 9, MaxFileBytes = 10, MaxLineBytes = 11 }, options.Limits);
    }

    [Fact]
    public void A_file_over_MaxFileBytes_names_the_setting()
    {
        var text = "a,y\n" + string.Concat(Enumerable.Repeat("1,2\n", 100));
        var error = CsvTestData.Rejected(text, limits: new CsvLimits { MaxFileBytes = Encoding.ASCII.GetByteCount(text) - 1 });
        Assert.Contains("Pipeline:Ingest:MaxFileBytes", error.Message, StringComparison.Ordinal);
    }
}
