using Microsoft.AspNetCore.Builder;
using Pipeline.Platform.Hosting;

namespace Pipeline.Cli.Commands;

/// <summary>`pipeline up`: hosts any set of the services in this process until Ctrl+C.</summary>
public static class UpCommand
{
    public static readonly string[] Values = ["--services", "--url", "--dir"];
    public static readonly string[] Flags = [];

    public const string Usage = """
        usage: pipeline up [--services LIST] [--url URL] [--dir PATH]

        Hosts the chosen services in this process until Ctrl+C: a comma-separated subset of
        ingest, preprocess, orchestrator, trainworker, deploy (default: all). The dashboard (/ui), its /api and the
        serving endpoints (/predict, /models) share --url (default http://127.0.0.1:5080).
        Infrastructure: the Pipeline__* settings of the environment when it names a transport (for the local stack:
        `source infra/.state/stack.env`), otherwise embedded mode under --dir (default .pipeline/up, kept between runs;
        embedded mode keeps messages in this process, so it needs all services here).
        """;

    public static async Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (line.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument '{line.Positionals[0]}'.");
        }

        var services = (line.Value("--services") ?? string.Join(',', ServiceHost.All))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (services.Length == 0)
        {
            throw new UsageException("--services needs at least one service.");
        }

        ServiceHost.Validate(services);

        var url = line.Value("--url") ?? ApiHttp.DefaultUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            throw new UsageException($"--url '{url}' is not an absolute URL.");
        }

        var fromEnvironment = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("Pipeline__Transport"));
        Dictionary<string, string?> settings = [];
        string where;
        if (fromEnvironment)
        {
            where = $"infrastructure from the environment (transport {Environment.GetEnvironmentVariable("Pipeline__Transport")})";
        }
        else
        {
            if (services.Length < ServiceHost.All.Length)
            {
                throw new UsageException("embedded mode (no Pipeline__Transport in the environment) needs all services in one process; source the stack's settings to split them.");
            }

            var folder = Path.GetFullPath(line.Value("--dir") ?? Path.Combine(".pipeline", "up"));
            Directory.CreateDirectory(folder);
            settings = EmbeddedMode.Settings(folder);
            where = $"embedded mode in {folder}";
        }

        await using var app = ServiceHost.Build(services, settings, url, quiet: false);
        await app.StartAsync(cancellationToken);
        output.WriteLine($"pipeline up: {string.Join(", ", services)} on {string.Join(", ", app.Urls)}; {where}. Ctrl+C stops.");
        if (services.Contains("orchestrator", StringComparer.OrdinalIgnoreCase))
        {
            output.WriteLine($"dashboard: {app.Urls.First().TrimEnd('/')}/ui/jobs");
        }

        await app.WaitForShutdownAsync(cancellationToken);
        return ExitCodes.Ok;
    }
}
