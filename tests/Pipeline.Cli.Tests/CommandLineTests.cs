using Pipeline.Cli;

namespace Pipeline.Cli.Tests;

public sealed class CommandLineTests
{
    private static readonly string[] Values = ["--rows", "--file"];
    private static readonly string[] Flags = ["--json"];

    [Fact]
    public void Options_flags_and_positionals_are_parsed()
    {
        var line = CommandLine.Parse("demo", ["--rows", "500", "--json", "extra"], Values, Flags);
        Assert.Equal(500, line.Int("--rows", 1, 1, 1000));
        Assert.True(line.Flag("--json"));
        Assert.Equal(["extra"], line.Positionals);
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, "unknown option '--bogus' for 'demo'.")]
    [InlineData(new[] { "--rows" }, "--rows needs a value.")]
    [InlineData(new[] { "--rows", "--json" }, "--rows needs a value.")]
    public void Wrong_options_are_one_line_errors(string[] args, string message) =>
        Assert.Equal(message, Assert.Throws<UsageException>(() => CommandLine.Parse("demo", args, Values, Flags)).Message);

    [Fact]
    public void Out_of_range_numbers_name_the_range()
    {
        var line = CommandLine.Parse("demo", ["--rows", "5"], Values, Flags);
        Assert.Equal("--rows must be a whole number from 100 to 1000, not '5'.", Assert.Throws<UsageException>(() => line.Int("--rows", 200, 100, 1000)).Message);
    }

    [Fact]
    public async Task A_wrong_option_prints_one_line_and_the_usage_and_exits_64()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await PipelineCommand.RunAsync(["demo", "--rowz", "10"], output, error);
        Assert.Equal(ExitCodes.Usage, code);
        var lines = error.ToString().Split('\n');
        Assert.Equal("pipeline demo: unknown option '--rowz' for 'demo'.", lines[0]);
        Assert.Contains("usage: pipeline demo", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task Every_verb_has_help()
    {
        var output = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await PipelineCommand.RunAsync(["demo", "--help"], output, new StringWriter()));
        Assert.Contains("usage: pipeline demo", output.ToString(), StringComparison.Ordinal);
    }
}
