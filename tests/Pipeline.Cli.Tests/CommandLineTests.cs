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

    [Theory]
    [InlineData("demo")]
    [InlineData("up")]
    [InlineData("submit")]
    [InlineData("status")]
    [InlineData("watch")]
    [InlineData("cancel")]
    [InlineData("models")]
    [InlineData("predict")]
    [InlineData("rollback")]
    public async Task Every_verb_has_help(string verb)
    {
        var output = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await PipelineCommand.RunAsync([verb, "--help"], output, new StringWriter()));
        Assert.StartsWith($"usage: pipeline {verb}", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "watch", "not-a-guid" }, "pipeline watch: 'not-a-guid' is not a job id")]
    [InlineData(new[] { "cancel" }, "pipeline cancel: give exactly one JOB id (or a unique prefix of one).")]
    [InlineData(new[] { "submit" }, "pipeline submit: give exactly one FILE or KEY.")]
    [InlineData(new[] { "submit", "a.csv", "--task", "ranking" }, "pipeline submit: --task must be regression or classification, not 'ranking'.")]
    [InlineData(new[] { "submit", "a.csv", "--workers", "0" }, "pipeline submit: --workers must be a whole number from 1 to 1024, not '0'.")]
    [InlineData(new[] { "status", "--url", "ftp://x" }, "pipeline status: --url 'ftp://x' is not an absolute http(s) URL.")]
    [InlineData(new[] { "up", "--services", "ingest,magic" }, "pipeline up: unknown service 'magic'")]
    public async Task Wrong_job_verb_arguments_exit_64_with_one_line_and_the_usage(string[] args, string line)
    {
        var error = new StringWriter();
        var code = await PipelineCommand.RunAsync(args, new StringWriter(), error);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith(line, error.ToString(), StringComparison.Ordinal);
        Assert.Contains($"usage: pipeline {args[0]}", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_verbs_without_a_running_system_exit_69_and_say_what_to_start()
    {
        var error = new StringWriter();
        var code = await PipelineCommand.RunAsync(["status", "--url", "http://127.0.0.1:1"], new StringWriter(), error);
        Assert.Equal(ExitCodes.Unavailable, code);
        Assert.Contains("pipeline up", error.ToString(), StringComparison.Ordinal);
    }
}
