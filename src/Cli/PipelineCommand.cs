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
          retrain   start a new job from an old one, with settings changed on top
          redeploy  deploy a finished job's best model again, without retraining (admin)
          gc        delete round models and old jobs' artifacts by the retention policy; report orphans (admin)
          models    list served models, or one model's versions and history
          predict   send raw feature values to a served model
          rollback  make an earlier version of a model production again
          keys      create, list and revoke API keys (admin)
          help      this text

        Every verb accepts --help. Verbs that talk to a running system find it with --url, PIPELINE_URL or the
        config file (~/.config/pipeline/config.json: {"url": ..., "token": ...}) and send the API key from
        PIPELINE_TOKEN or that file.
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
            if (!Verbs.TryGetValue(verb, out var definition))
            {
                throw new UsageException($"unknown verb '{verb}'.");
            }

            var line = CommandLine.Parse(verb, rest, definition.Values, definition.Flags);
            if (line.Help)
            {
                output.WriteLine(definition.Usage);
                return ExitCodes.Ok;
            }

            return await definition.Run(line, output, error, cancellationToken);
        }
        catch (UsageException ex)
        {
            error.WriteLine($"pipeline {verb}: {ex.Message}");
            error.WriteLine(Verbs.TryGetValue(verb, out var definition) ? definition.Usage : Usage);
            return ExitCodes.Usage;
        }
        catch (CommandFailedException ex)
        {
            error.WriteLine($"pipeline {verb}: {ex.Message}");
            return ex.ExitCode;
        }
        catch (Client.PipelineApiException ex)
        {
            // A refused request: one line with the problem's reason, and the exit code of its status.
            error.WriteLine($"pipeline {verb}: {ex.Reason}");
            return ApiHttp.ExitCodeOf(ex.Status);
        }
        catch (HttpRequestException ex)
        {
            error.WriteLine($"pipeline {verb}: no answer from the running system ({ex.Message}); is `pipeline up` or `pipeline demo --serve` running? (--url)");
            return ExitCodes.Unavailable;
        }
        catch (Exception ex) when (PipelineHost.AsStartupException(ex) is { } startup)
        {
            error.WriteLine($"pipeline {verb}: {startup.Message}");
            return PipelineHost.StartupFailedExitCode;
        }
    }

    /// <summary>Every verb once: the options it takes, its --help text and what runs it.</summary>
    private static readonly Dictionary<string, VerbDefinition> Verbs = new(StringComparer.Ordinal)
    {
        ["demo"] = new(DemoCommand.ValueOptions, DemoCommand.Flags, DemoCommand.Usage, DemoCommand.RunAsync),
        ["up"] = new(UpCommand.Values, UpCommand.Flags, UpCommand.Usage, UpCommand.RunAsync),
        ["submit"] = new(JobCommands.SubmitValues, JobCommands.SubmitFlags, JobCommands.SubmitUsage, JobCommands.SubmitAsync),
        ["retrain"] = new(JobCommands.RetrainValues, JobCommands.SubmitFlags, JobCommands.RetrainUsage, JobCommands.RetrainAsync),
        ["status"] = new(JobCommands.StatusValues, JobCommands.StatusFlags, JobCommands.StatusUsage, JobCommands.StatusAsync),
        ["watch"] = new(JobCommands.WatchValues, JobCommands.Flags, JobCommands.WatchUsage, JobCommands.WatchAsync),
        ["cancel"] = new(JobCommands.CancelValues, JobCommands.Flags, JobCommands.CancelUsage, JobCommands.CancelAsync),
        ["redeploy"] = new(RedeployCommand.Values, RedeployCommand.Flags, RedeployCommand.Usage, RedeployCommand.RunAsync),
        ["gc"] = new(GcCommand.Values, GcCommand.Flags, GcCommand.Usage, GcCommand.RunAsync),
        ["models"] = new(ServingCommands.ModelsValues, ServingCommands.Flags, ServingCommands.ModelsUsage, ServingCommands.ModelsAsync),
        ["predict"] = new(ServingCommands.PredictValues, ServingCommands.Flags, ServingCommands.PredictUsage, ServingCommands.PredictAsync),
        ["rollback"] = new(ServingCommands.RollbackValues, ServingCommands.Flags, ServingCommands.RollbackUsage, ServingCommands.RollbackAsync),
        ["keys"] = new(KeyCommands.Values, KeyCommands.Flags, KeyCommands.Usage, (l, o, _, ct) => KeyCommands.RunAsync(l, o, ct)),
    };

    private sealed record VerbDefinition(
        string[] Values, string[] Flags, string Usage, Func<CommandLine, TextWriter, TextWriter, CancellationToken, Task<int>> Run);
}

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int NotFound = 3;

    /// <summary>The running system refused the caller: no key, a wrong key, or a role that may not do this.</summary>
    public const int Denied = 4;
    public const int Usage = 64;
    public const int Unavailable = 69;
}
