using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipeline.Platform.Hosting;

/// <summary>Runs a service host the same way everywhere: start-up problems become one line and exit code 2.</summary>
public static class PipelineHost
{
    public const int StartupFailedExitCode = 2;

    /// <summary>Keeps the host's own "failed to start" log (a stack trace) out of the console; we print one line instead.</summary>
    public static ILoggingBuilder QuietStartupFailures(this ILoggingBuilder logging) =>
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);

    public static async Task<int> RunAsync(IHost host, TextWriter? error = null)
    {
        try
        {
            await host.RunAsync();
            return 0;
        }
        catch (Exception ex) when (Unwrap(ex) is StartupException startup)
        {
            (error ?? Console.Error).WriteLine($"error: {startup.Message}");
            return StartupFailedExitCode;
        }
    }

    public static Exception Unwrap(Exception ex) => ex switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerExceptions[0]),
        _ => ex,
    };
}
