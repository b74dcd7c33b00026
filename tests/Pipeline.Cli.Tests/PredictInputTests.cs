using System.Text.Json;
using Pipeline.Cli.Commands;

namespace Pipeline.Cli.Tests;

/// <summary>The rows `predict` sends, from the forms a user has them in.</summary>
public sealed class PredictInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipeline-predict-").FullName;

    [Fact]
    public void A_csv_becomes_an_array_of_objects_with_numbers_as_numbers()
    {
        var file = Path.Combine(_folder, "rows.csv");
        File.WriteAllText(file, "area,zip,city,garden,sold\n80.5,07500,\"Paris, 5e\",yes,2021-06-01\n-3,75001,,no,NA\n");
        using var rows = JsonDocument.Parse(PredictInput.CsvAsJson(file));
        var first = rows.RootElement[0];
        Assert.Equal(80.5, first.GetProperty("area").GetDouble());
        Assert.Equal("07500", first.GetProperty("zip").GetString()); // a code keeps its leading zero
        Assert.Equal("Paris, 5e", first.GetProperty("city").GetString());
        Assert.Equal("yes", first.GetProperty("garden").GetString());
        var second = rows.RootElement[1];
        Assert.Equal((JsonValueKind.Number, JsonValueKind.Number), (second.GetProperty("area").ValueKind, second.GetProperty("zip").ValueKind));
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (second.GetProperty("city").ValueKind, second.GetProperty("sold").ValueKind));
    }

    [Fact]
    public void Input_comes_inline_from_a_file_or_from_standard_input_and_must_be_json()
    {
        var file = Path.Combine(_folder, "row.json");
        File.WriteAllText(file, """{"a": 1}""");
        Assert.Equal("""{"a": 1}""", PredictInput.Read(Line("--input", "@" + file), TextReader.Null));
        Assert.Equal("""[{"a": 2}]""", PredictInput.Read(Line("--input", "-"), new StringReader("""[{"a": 2}]""")));
        Assert.Equal("""{"a": 3}""", PredictInput.Read(Line("--input", """{"a": 3}"""), TextReader.Null));
        Assert.Throws<UsageException>(() => PredictInput.Read(Line("--input", "-"), new StringReader("{oops")));
        Assert.Throws<UsageException>(() => PredictInput.Read(Line("--input", "@" + Path.Combine(_folder, "none.json")), TextReader.Null));
        Assert.Throws<UsageException>(() => PredictInput.Read(Line(), TextReader.Null));
        Assert.Throws<UsageException>(() => PredictInput.Read(Line("--input", "{}", "--csv", file), TextReader.Null));
    }

    private static CommandLine Line(params string[] args) => CommandLine.Parse("predict", args, ServingCommands.PredictValues, ServingCommands.Flags);

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
