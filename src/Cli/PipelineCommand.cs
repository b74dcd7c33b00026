using Pipeline.Cli.Demo;
using Pipeline.Platform.Hosting;

namespace Pipeline.Cli;

/// <summary>The `pipeline` command: verbs, their options and consistent exit codes.</summary>
public static class PipelineCommand
{
    public const string Usage = """
        usage: pipeline <verb> [options]

        verbs:
          demo      run a whole job in embedded mode (nothing to install but the .NET SDK)
          help      this text

        Every verb accepts --help.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            output.WriteLine(Usage);
            return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Ok;
        }

        var verb = args[0];
        var rest = args[1..];
        try
        {
            switch (verb)
            {
                case "demo":
                    var line = CommandLine.Parse(verb, rest, DemoCommand.ValueOptions, DemoCommand.Flags);
                    if (line.Help)
                    {
                        output.WriteLine(DemoCommand.Usage);
                        return ExitCodes.Ok;
                    }

                    return await DemoCommand.RunAsync(line, output, error, cancellationToken);
                default:
                    throw new UsageException($"unknown verb '{verb}'.");
            }
        }
        catch (UsageException ex)
        {
            error.WriteLine($"pipeline {verb}: {ex.Message}");
            error.WriteLine(verb == "demo" ? DemoCommand.Usage : Usage);
            return ExitCodes.Usage;
        }
        catch (Exception ex) when (PipelineHost.Unwrap(ex) is StartupException startup)
        {
            error.WriteLine($"pipeline {verb}: {startup.Message}");
            return PipelineHost.StartupFailedExitCode;
        }
    }
}

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 64;
}
