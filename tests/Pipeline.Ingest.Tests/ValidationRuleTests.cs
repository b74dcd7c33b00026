using System.Text;
using Pipeline.Contracts;
using Pipeline.Tabular.Csv;

namespace Pipeline.Ingest.Tests;

/// <summary>One test per rule: each asserts the message a person reads.</summary>
public class ValidationRuleTests
{
    [Theory]
    [InlineData("")]
    [InlineData("\n\r\n  \n")]
    public void Empty_file(string text) =>
        Assert.Equal("data.csv: the file is empty.", CsvTestData.Rejected(text).Message);

    [Fact]
    public void Header_only() =>
        Assert.Equal("data.csv: the file has a header but no data rows.", CsvTestData.Rejected("a,b,c\n").Message);

    [Fact]
    public void Duplicate_column_names() =>
        Assert.Equal(
            "data.csv: line 1: column name 'b' appears twice in the header (columns 2 and 3); names must be unique.",
            CsvTestData.Rejected("a,b,b\n1,2,3\n").Message);

    [Fact]
    public void Empty_column_name() =>
        Assert.Equal(
            "data.csv: line 1: column 2 of the header has an empty name; every column needs a name.",
            CsvTestData.Rejected("a,,c\n1,2,3\n").Message);

    [Fact]
    public void Single_column() =>
        Assert.StartsWith("data.csv: line 1: the header has a single column ('a')", CsvTestData.Rejected("a\n1\n").Message, StringComparison.Ordinal);

    [Fact]
    public void Ragged_row_names_its_line() =>
        Assert.Equal(
            "data.csv: line 3: the row has 2 fields but the header has 3 columns (a missing or extra ',', or an unclosed quote).",
            CsvTestData.Rejected("a,b,c\n1,2,3\n4,5\n").Message);

    [Fact]
    public void Non_numeric_values_beyond_the_tolerance_name_line_and_column()
    {
        var text = "x,y\n" + string.Concat(Enumerable.Range(0, 20).Select(i => i == 7 ? "abc,1\n" : i == 9 ? "n/a?,0\n" : $"{i},{i % 2}\n"));
        var error = CsvTestData.Rejected(text);
        Assert.Equal(
            "data.csv: line 9, column 'x': 'abc' is not a number, in a numeric column where 2 of 20 values are not numbers (10%), more than the tolerance of 1% (setting Pipeline:Ingest:NonNumericTolerance). Fix or blank these values.",
            error.Message);
        Assert.Equal(9, error.Line);
        Assert.Equal("x", error.Column);
    }

    [Fact]
    public void Non_numeric_values_within_the_tolerance_are_accepted()
    {
        var text = "x,y\n" + string.Concat(Enumerable.Range(0, 200).Select(i => i == 7 ? "abc,1\n" : $"{i}.5,{i % 2}\n"));
        var scan = CsvTestData.Scan(text);
        Assert.Equal(Pipeline.Tabular.Schema.ColumnKind.Numeric, scan.Columns[0].Kind);
    }

    [Fact]
    public void Missing_target_column() =>
        Assert.Equal(
            "data.csv: line 1: the target column 'price' is not in the header; the columns are: a, b.",
            CsvTestData.Rejected("a,b\n1,2\n", new JobSpec { Target = "price" }).Message);

    [Fact]
    public void Target_with_a_single_value() =>
        Assert.Equal(
            "data.csv: column 'y': the target column has the single value '7' in every row; there is nothing to learn.",
            CsvTestData.Rejected("x,y\n1,7\n2,7\n3,\n").Message);

    [Fact]
    public void Regression_on_a_text_target() =>
        Assert.Equal(
            "data.csv: line 2, column 'y': the task is regression but the target is not numeric: 'cat' is not a number.",
            CsvTestData.Rejected("x,y\n1,cat\n2,dog\n", new JobSpec { Task = TaskKind.Regression }).Message);

    [Fact]
    public void Binary_garbage_with_nul_bytes()
    {
        var bytes = Encoding.UTF8.GetBytes("a,b\n1,2\n").Concat(new byte[] { 0x00, 0x13, 0x37, 0x00 }).ToArray();
        Assert.Equal("data.csv: line 3: contains a NUL byte: this is binary data, not a text CSV file.", CsvTestData.Rejected(bytes).Message);
    }

    [Fact]
    public void Binary_garbage_that_is_not_utf8()
    {
        var bytes = new byte[] { (byte)'a', (byte)',', (byte)'b', (byte)'\n', 0xC3, 0x28, 0xFF, 0xFE, 0x80, (byte)'\n' };
        Assert.Equal(
            "data.csv: line 2: byte 4 is not valid UTF-8 text: this looks like binary data (or a file in another encoding); save it as UTF-8 CSV.",
            CsvTestData.Rejected(bytes).Message);
    }

    [Fact]
    public void Line_over_the_limit() =>
        Assert.Equal(
            "data.csv: line 3: the line is longer than the limit of 16 bytes (setting Pipeline:Ingest:MaxLineBytes).",
            CsvTestData.Rejected("a,b\n1,2\n" + new string('9', 40) + ",1\n", limits: new CsvLimits { MaxLineBytes = 16 }).Message);

    [Fact]
    public void File_over_the_limit() =>
        Assert.Equal(
            "data.csv: the file is larger than the limit of 100 bytes (setting Pipeline:Ingest:MaxFileBytes).",
            CsvTestData.Rejected("a,b\n" + string.Concat(Enumerable.Repeat("1,2\n", 50)), limits: new CsvLimits { MaxFileBytes = 100 }).Message);

    [Fact]
    public void Corrupt_gzip()
    {
        var gz = CsvTestData.Gzip("a,b\n" + string.Concat(Enumerable.Repeat("1,2\n", 100)));
        gz[gz.Length / 2] ^= 0xFF;
        gz[(gz.Length / 2) + 1] ^= 0xFF;
        var error = Assert.Throws<DatasetValidationException>(() => CsvTestData.Scan(gz));
        Assert.StartsWith("data.csv: ", error.Message, StringComparison.Ordinal);
    }
}
