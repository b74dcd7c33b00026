using System.Text;

namespace Pipeline.Ingest.Tests;

public class CsvFormatTests
{
    [Theory]
    [InlineData("a,b,c\n1,2,3\n", ',')]
    [InlineData("a;b;c\n1,5;2;3\n", ';')]
    [InlineData("a\tb\tc\n1\t2\t3\n", '\t')]
    public void Separator_is_detected_from_the_header(string text, char expected)
    {
        using var source = CsvTestData.Open(text);
        Assert.Equal(expected, source.Separator);
        Assert.Equal(["a", "b", "c"], source.Columns);
        var rows = CsvTestData.ReadAll(source);
        Assert.Single(rows);
    }

    [Fact]
    public void Quoted_fields_keep_separators_quotes_and_newlines()
    {
        using var source = CsvTestData.Open("name,note,y\r\n\"Smith, J\",\"said \"\"hi\"\"\r\nthen left\",1\r\nx,plain,2\r\n");
        var rows = CsvTestData.ReadAll(source);
        Assert.Equal(2, rows.Count);
        Assert.Equal("Smith, J", rows[0][0]);
        Assert.Equal("said \"hi\"\r\nthen left", rows[0][1]);
        Assert.Equal(["x", "plain", "2"], rows[1]);
    }

    [Fact]
    public void Utf8_bom_is_not_part_of_the_first_column_name()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("prix,ville\n1,Zürich\n")).ToArray();
        using var source = CsvTestData.Open(bytes);
        Assert.Equal("prix", source.Columns[0]);
        Assert.Equal("Zürich", CsvTestData.ReadAll(source)[0][1]);
    }

    [Fact]
    public void Gzip_compressed_csv_is_read_transparently()
    {
        using var source = CsvTestData.Open(CsvTestData.Gzip("a,b\n1,2\n3,4\n"), "data.csv.gz");
        Assert.True(source.Compressed);
        Assert.Equal(2, CsvTestData.ReadAll(source).Count);
    }

    [Fact]
    public void Blank_lines_are_skipped_and_lines_are_counted_from_the_header()
    {
        var error = CsvTestData.Rejected("a,b\n1,2\n\n3,4\n5\n");
        Assert.Equal(5, error.Line);
    }
}
