using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Pipeline.Platform.Hosting;
using Pipeline.Testing.Sagas;

namespace Pipeline.Platform.Tests;

/// <summary>
/// Every service process runs through <see cref="PipelineHost"/>: health endpoints for probes, loopback by default,
/// <c>--urls</c> honoured, extra endpoints mapped by the caller, one-line start-up errors with exit code 2.
/// </summary>
public sealed class PipelineHostTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly EmbeddedSettings _embedded = new();

    [Fact]
    public async Task A_service_answers_live_and_ready_on_loopback_at_its_default_port_and_stops_with_exit_code_0()
    {
        var port = FreeLoopbackPort();
        WebApplication? app = null;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = PipelineHost.RunAsync(Args(_embedded.Settings), port, ConfigureCounterService, a =>
        {
            app = a;
            LogContext.ConfigureCurrentLogContext(a.Services.GetRequiredService<ILoggerFactory>());
            a.Lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        });

        if (await Task.WhenAny(run, started.Task).WaitAsync(StartTimeout) == run)
        {
            Assert.Fail($"the host stopped before it started, exit code {await run}");
        }
        Assert.Equal([$"http://127.0.0.1:{port}"], app!.Urls);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var (liveStatus, live) = await GetJson(http, HealthEndpoints.LivePath);
        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal("Healthy", live.GetProperty("status").GetString());

        var (readyStatus, ready) = await GetJson(http, HealthEndpoints.ReadyPath);
        Assert.Equal(HttpStatusCode.OK, readyStatus);

        // Readiness is not vacuous: the bus check (MassTransit's, tag "ready") and the database check ran.
        var checks = ready.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString());
        Assert.Equal("Healthy", checks["database"]);
        Assert.Contains(checks, c => c.Key.Contains("masstransit", StringComparison.OrdinalIgnoreCase) && c.Value == "Healthy");

        app.Lifetime.StopApplication();
        Assert.Equal(0, await run.WaitAsync(StartTimeout));
    }

    [Fact]
    public async Task Urls_on_the_command_line_win_and_the_caller_can_map_more_endpoints()
    {
        var args = Args(_embedded.Settings).Append("--urls=http://127.0.0.1:0").ToArray();
        await using var app = PipelineHost.Build(args, defaultPort: 1, ConfigureCounterService, a =>
        {
            a.MapGet("/hello", () => "hello");
            a.MapPipelineHealthChecks(); // as Deploy's serving API does inside PipelineHost: must not map them twice
        });
        LogContext.ConfigureCurrentLogContext(app.Services.GetRequiredService<ILoggerFactory>());
        await app.StartAsync().WaitAsync(StartTimeout);

        var address = Assert.Single(app.Urls);
        Assert.StartsWith("http://127.0.0.1:", address, StringComparison.Ordinal);
        Assert.NotEqual("http://127.0.0.1:1", address);
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        Assert.Equal("hello", await http.GetStringAsync(new Uri("/hello", UriKind.Relative)));
        Assert.Equal(HttpStatusCode.OK, (await GetJson(http, HealthEndpoints.LivePath)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetJson(http, HealthEndpoints.ReadyPath)).Status);
        await app.StopAsync();
    }

    [Theory]
    [InlineData(HealthStatus.Unhealthy)]
    [InlineData(HealthStatus.Degraded)] // what MassTransit reports while the broker is unreachable
    public async Task A_failing_readiness_check_gives_503_on_ready_while_live_stays_200(HealthStatus failing)
    {
        var args = Args(_embedded.Settings).Append("--urls=http://127.0.0.1:0").ToArray();
        await using var app = PipelineHost.Build(args, defaultPort: 1, builder =>
        {
            ConfigureCounterService(builder);
            builder.Services.AddHealthChecks().AddCheck("broken", () => new HealthCheckResult(failing, "down for the test"), tags: [HealthEndpoints.ReadyTag]);
        });
        LogContext.ConfigureCurrentLogContext(app.Services.GetRequiredService<ILoggerFactory>());
        await app.StartAsync().WaitAsync(StartTimeout);

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        Assert.Equal(HttpStatusCode.OK, (await GetJson(http, HealthEndpoints.LivePath)).Status);
        var (status, ready) = await GetJson(http, HealthEndpoints.ReadyPath);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(failing.ToString(), ready.GetProperty("checks").GetProperty("broken").GetProperty("status").GetString());
        await app.StopAsync();
    }

    [Fact]
    public async Task A_service_serves_prometheus_text_at_metrics_and_starts_with_an_otlp_collector_that_is_not_there()
    {
        var args = Args(_embedded.Settings).Append("--urls=http://127.0.0.1:0").Append("--Pipeline:Telemetry:OtlpEndpoint=http://127.0.0.1:9").ToArray();
        await using var app = PipelineHost.Build(args, defaultPort: 1, ConfigureCounterService);
        LogContext.ConfigureCurrentLogContext(app.Services.GetRequiredService<ILoggerFactory>());
        await app.StartAsync().WaitAsync(StartTimeout);

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        Assert.Equal(HttpStatusCode.OK, (await GetJson(http, HealthEndpoints.LivePath)).Status);
        var text = await http.GetStringAsync(new Uri(Telemetry.TelemetryRegistration.MetricsPath, UriKind.Relative));
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_malformed_otlp_endpoint_is_one_line_naming_the_setting_and_exit_code_2()
    {
        var args = Args(_embedded.Settings).Append("--urls=http://127.0.0.1:0").Append("--Pipeline:Telemetry:OtlpEndpoint=collector:4317").ToArray();
        using var error = new StringWriter();
        Assert.Equal(PipelineHost.StartupFailedExitCode, await PipelineHost.RunAsync(args, defaultPort: 1, ConfigureCounterService, error: error));
        Assert.StartsWith("error: Pipeline:Telemetry:OtlpEndpoint is 'collector:4317'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_setting_is_one_line_and_exit_code_2()
    {
        var args = Args(_embedded.Settings).Append("--Pipeline:Transport=carrier-pigeon").Append("--urls=http://127.0.0.1:0").ToArray();
        using var error = new StringWriter();
        var code = await PipelineHost.RunAsync(args, defaultPort: 1, ConfigureCounterService, error: error);
        Assert.Equal(PipelineHost.StartupFailedExitCode, code);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: Pipeline:Transport is 'carrier-pigeon'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_already_taken_is_one_line_naming_the_setting_and_exit_code_2()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var error = new StringWriter();
        var code = await PipelineHost.RunAsync(Args(_embedded.Settings), port, ConfigureCounterService, a =>
            LogContext.ConfigureCurrentLogContext(a.Services.GetRequiredService<ILoggerFactory>()), error);
        Assert.Equal(PipelineHost.StartupFailedExitCode, code);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.Contains("ASPNETCORE_URLS or --urls", line, StringComparison.Ordinal);
    }

    public void Dispose() => _embedded.Dispose();

    private static void ConfigureCounterService(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Services.AddCounterService(builder.Configuration);
    }

    // Settings on the command line, as a deployment passes them; they win over any Pipeline__ variable in the
    // environment of the test run.
    private static string[] Args(Dictionary<string, string?> settings) =>
        [.. settings.Select(s => $"--{s.Key}={s.Value}"), "--Pipeline:RabbitMq:QuorumQueues=false"];

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetJson(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.Clone());
    }
}
