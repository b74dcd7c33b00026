using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Platform.Security;
using Pipeline.Platform.Telemetry;

namespace Pipeline.Platform.Hosting;

/// <summary>
/// Runs a service the same way everywhere: a small web host (Kestrel, HTTP only) with <c>GET /health/live</c> and
/// <c>GET /health/ready</c>, listening on 127.0.0.1 at the service's default port unless <c>ASPNETCORE_URLS</c> or
/// <c>--urls</c> says otherwise; start-up problems become one line and exit code 2.
/// </summary>
public static class PipelineHost
{
    public const int StartupFailedExitCode = 2;

    /// <summary>
    /// Builds and runs a service until it is stopped (Ctrl+C, SIGTERM). A <see cref="StartupException"/> thrown while
    /// registering services (a bad setting) or while starting them (a service that cannot be reached), or a port that
    /// is taken, is printed as one line on stderr and gives <see cref="StartupFailedExitCode"/>.
    /// </summary>
    /// <param name="args">Command-line arguments: configuration (<c>--Pipeline:Transport=rabbitmq</c>) and <c>--urls</c>.</param>
    /// <param name="defaultPort">Port on 127.0.0.1 when neither <c>ASPNETCORE_URLS</c> nor <c>--urls</c> is set.</param>
    /// <param name="configure">Registers the service (its <c>AddXyz</c> extension and the bus).</param>
    /// <param name="map">Maps more endpoints (an API, a dashboard) next to the health endpoints.</param>
    /// <param name="error">Where the one-line start-up error goes; stderr when null.</param>
    public static async Task<int> RunAsync(string[] args, int defaultPort, Action<WebApplicationBuilder> configure, Action<WebApplication>? map = null, TextWriter? error = null)
    {
        try
        {
            await using var app = Build(args, defaultPort, configure, map);
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (AsStartupException(ex) is { } startup)
        {
            (error ?? Console.Error).WriteLine($"error: {startup.Message}");
            return StartupFailedExitCode;
        }
    }

    /// <summary>The application <see cref="RunAsync"/> runs, built but not started (for tests and custom hosts).</summary>
    public static WebApplication Build(string[] args, int defaultPort, Action<WebApplicationBuilder> configure, Action<WebApplication>? map = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(defaultPort);
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.UsePipelineDefaults();
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            // Loopback only unless told otherwise: containers set ASPNETCORE_URLS=http://0.0.0.0:PORT.
            builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{defaultPort}"));
        }

        builder.Services.AddPipelineHealthChecks();
        builder.AddPipelineSecurity();
        builder.Services.AddPipelineOpenApi();
        builder.AddPipelineTelemetry(builder.Environment.ApplicationName.Replace('.', '-').ToLowerInvariant()); // pipeline-ingest, ...
        configure(builder);
        var app = builder.Build();
        app.UsePipelineSecurity();
        app.MapPipelineHealthChecks();
        app.MapPipelineOpenApi();
        app.MapPipelineMetrics();
        map?.Invoke(app);
        return app;
    }

    /// <summary>
    /// Log levels for our services: EF Core's per-command, MassTransit's per-endpoint and ASP.NET Core's per-request
    /// chatter (a probe every few seconds) only when something is wrong, and no stack trace from the host for
    /// start-up failures (we print one line instead).
    /// </summary>
    public static ILoggingBuilder UsePipelineDefaults(this ILoggingBuilder logging) =>
        logging
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning)
            .AddFilter("MassTransit", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)

            // "No XML encryptor configured": the data-protection keys (they sign session cookies and antiforgery
            // tokens) sit in the database beside the API key hashes, protected as the database is.
            .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error)
            .HonourConsoleFormatterSetting()
            .QuietStartupFailures();

    /// <summary>Keeps the host's own "failed to start" log (a stack trace) out of the console.</summary>
    public static ILoggingBuilder QuietStartupFailures(this ILoggingBuilder logging) =>
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);

    public static Exception Unwrap(Exception ex) => ex switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerExceptions[0]),
        _ => ex,
    };

    /// <summary>The start-up problem <paramref name="ex"/> stands for, or null when it is a bug (keep its stack trace).</summary>
    public static StartupException? AsStartupException(Exception ex) => Unwrap(ex) switch
    {
        StartupException startup => startup,

        // Kestrel: "Failed to bind to address http://127.0.0.1:5082: address already in use."
        IOException { InnerException: AddressInUseException } bind =>
            new StartupException($"{bind.Message.TrimEnd('.')} (setting ASPNETCORE_URLS or --urls).", bind),
        _ => null,
    };
}
