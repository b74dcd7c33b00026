namespace Pipeline.Cli.Tests;

/// <summary>Runs the real CLI in-process, as `./pipeline ARGS` would, and keeps what it wrote.</summary>
internal static class CliRun
{
    public static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await PipelineCommand.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
