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
          up        host the services (all, or --services LIST) with the dashboard and APIs
          submit    start a job on a local file or an object in the ingest bucket
          status    list jobs, or show one
          watch     follow a job live until it ends
          cancel    cancel a running job
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
                    return await Verb(verb, rest, DemoCommand.ValueOptions, DemoCommand.Flags, DemoCommand.Usage, (l, ct) => DemoCommand.RunAsync(l, output, error, ct), output, cancellationToken);
                case "up":
                    return await Verb(verb, rest, UpCommand.Values, UpCommand.Flags, UpCommand.Usage, (l, ct) => UpCommand.RunAsync(l, output, error, ct), output, cancellationToken);
                case "submit":
                    return await Verb(verb, rest, JobCommands.SubmitValues, JobCommands.SubmitFlags, JobCommands.SubmitUsage, (l, ct) => JobCommands.SubmitAsync(l, output, error, ct), output, cancellationToken);
                case "status":
                    return await Verb(verb, rest, JobCommands.StatusValues, JobCommands.Flags, JobCommands.StatusUsage, (l, ct) => JobCommands.StatusAsync(l, output, ct), output, cancellationToken);
                case "watch":
                    return await Verb(verb, rest, JobCommands.WatchValues, JobCommands.Flags, JobCommands.WatchUsage, (l, ct) => JobCommands.WatchAsync(l, output, error, ct), output, cancellationToken);
                case "cancel":
                    return await Verb(verb, rest, JobCommands.CancelValues, JobCommands.Flags, JobCommands.CancelUsage, (l, ct) => JobCommands.CancelAsync(l, output, error, ct), output, cancellationToken);
                case "models":
                    return await Verb(verb, rest, ServingCommands.ModelsValues, ServingCommands.Flags, ServingCommands.ModelsUsage, (l, ct) => ServingCommands.ModelsAsync(l, output, ct), output, cancellationToken);
                case "predict":
                    return await Verb(verb, rest, ServingCommands.PredictValues, ServingCommands.Flags, ServingCommands.PredictUsage, (l, ct) => ServingCommands.PredictAsync(l, output, ct), output, cancellationToken);
                case "rollback":
                    return await Verb(verb, rest, ServingCommands.RollbackValues, ServingCommands.Flags, ServingCommands.RollbackUsage, (l, ct) => ServingCommands.RollbackAsync(l, output, ct), output, cancellationToken);
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
            error.WriteLine($"pipeline {verb}: no answer from the running system ({ex.Message}); is `pipeline up` or `pipeline demo --serve` running? (--url)");
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
        "up" => UpCommand.Usage,
        "submit" => JobCommands.SubmitUsage,
        "status" => JobCommands.StatusUsage,
        "watch" => JobCommands.WatchUsage,
        "cancel" => JobCommands.CancelUsage,
        "models" => ServingCommands.ModelsUsage,
        "predict" => ServingCommands.PredictUsage,
        "rollback" => ServingCommands.RollbackUsage,
        _ => Usage,
    };

    private static async Task<int> Verb(string verb, string[] args, string[] values, string[] flags, string usage, Func<CommandLine, CancellationToken, Task<int>> run, TextWriter output, CancellationToken cancellationToken)
    {
        var line = CommandLine.Parse(verb, args, values, flags);
        if (line.Help)
        {
            output.WriteLine(usage);
            return ExitCodes.Ok;
        }

        return await run(line, cancellationToken);
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
