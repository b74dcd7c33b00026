using Pipeline.Cli.Commands;
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
          models    list served models, or one model's versions and history
          predict   send raw feature values to a served model
          rollback  make an earlier version of a model production again
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
                case "models":
                    return await Serving(verb, rest, ServingCommands.ModelsValues, ServingCommands.ModelsUsage, ServingCommands.ModelsAsync, output, cancellationToken);
                case "predict":
                    return await Serving(verb, rest, ServingCommands.PredictValues, ServingCommands.PredictUsage, ServingCommands.PredictAsync, output, cancellationToken);
                case "rollback":
                    return await Serving(verb, rest, ServingCommands.RollbackValues, ServingCommands.RollbackUsage, ServingCommands.RollbackAsync, output, cancellationToken);
                default:
                    throw new UsageException($"unknown verb '{verb}'.");
            }
        }
        catch (UsageException ex)
        {
            error.WriteLine($"pipeline {verb}: {ex.Message}");
            error.WriteLine(UsageOf(verb));
            return ExitCodes.Usage;
        }
        catch (HttpRequestException ex)
        {
            error.WriteLine($"pipeline {verb}: no answer from the serving API ({ex.Message}); is `pipeline up` or `pipeline demo --serve` running? (--url)");
            return ExitCodes.Unavailable;
        }
        catch (Exception ex) when (PipelineHost.Unwrap(ex) is StartupException startup)
        {
            error.WriteLine($"pipeline {verb}: {startup.Message}");
            return PipelineHost.StartupFailedExitCode;
        }
    }

    private static string UsageOf(string verb) => verb switch
    {
        "demo" => DemoCommand.Usage,
        "models" => ServingCommands.ModelsUsage,
        "predict" => ServingCommands.PredictUsage,
        "rollback" => ServingCommands.RollbackUsage,
        _ => Usage,
    };

    private static async Task<int> Serving(string verb, string[] args, string[] values, string usage, Func<CommandLine, TextWriter, CancellationToken, Task<int>> run, TextWriter output, CancellationToken cancellationToken)
    {
        var line = CommandLine.Parse(verb, args, values, ServingCommands.Flags);
        if (line.Help)
        {
            output.WriteLine(usage);
            return ExitCodes.Ok;
        }

        return await run(line, output, cancellationToken);
    }
}

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int NotFound = 3;
    public const int Usage = 64;
    public const int Unavailable = 69;
}
