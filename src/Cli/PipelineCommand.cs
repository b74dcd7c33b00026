namespace Pipeline.Cli;

/// <summary>
/// The `pipeline` command. Today it knows only what exists: the verbs that need the pipeline stages say so and exit
/// with <see cref="ExitCodes.NotAvailable"/> rather than pretending to run.
/// </summary>
public static class PipelineCommand
{
    public const string Usage = """
        usage: pipeline <verb> [options]

        verbs:
          demo      run a whole job in embedded mode (needs the pipeline stages: not built yet)
          help      this text

        Every verb accepts --help.
        """;

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            output.WriteLine(Usage);
            return Task.FromResult(args.Length == 0 ? ExitCodes.Usage : ExitCodes.Ok);
        }

        switch (args[0])
        {
            case "demo":
                if (args.Skip(1).Any(a => a is "--help" or "-h"))
                {
                    output.WriteLine("usage: pipeline demo [--json]\n\nRuns a whole job in embedded mode once the pipeline stages exist.");
                    return Task.FromResult(ExitCodes.Ok);
                }

                error.WriteLine("pipeline demo: the ingest, preprocess, training and deploy stages are not built yet (open issues 4-7); nothing was run.");
                return Task.FromResult(ExitCodes.NotAvailable);
            default:
                error.WriteLine($"pipeline: unknown verb '{args[0]}'.");
                error.WriteLine(Usage);
                return Task.FromResult(ExitCodes.Usage);
        }
    }
}

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 64;
    public const int NotAvailable = 69;
}
