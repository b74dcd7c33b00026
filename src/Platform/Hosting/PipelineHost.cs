using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipeline.Platform.Hosting;

/// <summary>Runs a service host the same way everywhere: start-up problems become one line and exit code 2.</summary>
public static class PipelineHost
{
    public const int StartupFailedExitCode = 2;

    /// <summary>
    /// Builds and runs a host. A <see cref="StartupException"/> thrown while registering services (a bad setting) or
    /// while starting them (a service that cannot be reached) is printed as one line on stderr.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, Action<HostApplicationBuilder> configure, TextWriter? error = null)
    {
        try
        {
            var builder = Host.CreateApplicationBuilder(args);
            builder.Logging.UsePipelineDefaults();
            configure(builder);
            using var host = builder.Build();
            await host.RunAsync();
            return 0;
        }
        catch (Exception ex) when (Unwrap(ex) is StartupException startup)
        {
            (error ?? Console.Error).WriteLine($"error: {startup.Message}");
            return StartupFailedExitCode;
        }
    }

    /// <summary>
    /// Log levels for our services: EF Core's per-command and MassTransit's per-endpoint chatter only when something
    /// is wrong, and no stack trace from the host for start-up failures (we print one line instead).
    /// </summary>
    public static ILoggingBuilder UsePipelineDefaults(this ILoggingBuilder logging) =>
        logging
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning)
            .AddFilter("MassTransit", LogLevel.Warning)
            .QuietStartupFailures();

    /// <summary>Keeps the host's own "failed to start" log (a stack trace) out of the console.</summary>
    public static ILoggingBuilder QuietStartupFailures(this ILoggingBuilder logging) =>
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);

    public static Exception Unwrap(Exception ex) => ex switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerExceptions[0]),
        _ => ex,
    };
}
