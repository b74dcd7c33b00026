using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Security;

namespace Pipeline.Platform.Telemetry;

/// <summary>
/// OpenTelemetry for every host, registered once here (both <see cref="PipelineHost"/> and the CLI's all-in-one host
/// call it): traces from ASP.NET Core, HttpClient, EF Core, Npgsql, MassTransit and our own source; metrics from the
/// same plus the runtime and our <c>Pipeline.*</c> meters; Prometheus text at <see cref="MetricsPath"/>, and OTLP
/// when an endpoint is configured. Tracing is on even without an exporter: MassTransit carries a trace context in
/// message headers only when a span exists, and the log scopes carry its TraceId.
/// </summary>
public static class TelemetryRegistration
{
    public const string MetricsPath = "/metrics";

    public static WebApplicationBuilder AddPipelineTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        builder.Services.Configure<TelemetryOptions>(builder.Configuration.GetSection(TelemetryOptions.Section));
        var otlp = OtlpEndpoint(builder.Configuration, options);

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithTracing(t =>
            {
                t.AddSource(PipelineTelemetry.ActivitySourceName, PipelineTelemetry.MassTransitSource, PipelineTelemetry.NpgsqlSource)
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbeOrScrape(http.Request.Path))
                    .AddHttpClientInstrumentation()
                    .AddEntityFrameworkCoreInstrumentation()
                    .AddProcessor(new OrphanDatabaseSpanFilter());
            })
            .WithMetrics(m => m
                .AddMeter(PipelineTelemetry.MeterPrefix + "*", PipelineTelemetry.MassTransitSource, PipelineTelemetry.NpgsqlSource)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());

        if (otlp is not null)
        {
            // UseOtlpExporter covers traces and metrics; the OTEL_EXPORTER_OTLP_* variables still refine it.
            telemetry.UseOtlpExporter(OtlpProtocol(builder.Configuration), otlp);
        }

        return builder;
    }

    /// <summary>
    /// Maps the Prometheus scrape endpoint. It needs the reader role like every other read (docs/SECURITY.md): a
    /// scraper is given a reader key (<c>authorization: {credentials_file: ...}</c> in its scrape config); on loopback
    /// with authentication off it is open like the rest. <c>Pipeline:Telemetry:AnonymousMetrics=true</c> opens it
    /// for a scraper the network alone keeps out.
    /// </summary>
    public static IEndpointConventionBuilder MapPipelineMetrics(this WebApplication app)
    {
        var endpoint = app.MapPrometheusScrapingEndpoint(MetricsPath);
        var anonymous = app.Configuration.GetValue<bool>($"{TelemetryOptions.Section}:{nameof(TelemetryOptions.AnonymousMetrics)}");
        return anonymous ? endpoint.AllowAnonymous() : endpoint.RequireAuthorization(PipelinePolicies.Read);
    }

    /// <summary>The setting, else the standard variable, as an absolute URI; a malformed one is a start-up error naming it.</summary>
    internal static Uri? OtlpEndpoint(IConfiguration configuration, TelemetryOptions options)
    {
        var (name, value) = options.OtlpEndpoint is { Length: > 0 } configured
            ? ($"{TelemetryOptions.Section}:{nameof(TelemetryOptions.OtlpEndpoint)}", configured)
            : (TelemetryOptions.StandardEndpointVariable, configuration[TelemetryOptions.StandardEndpointVariable]);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new StartupException($"{name} is '{value}'; give the collector's address, e.g. http://collector:4317.");
    }

    /// <summary>gRPC unless OTEL_EXPORTER_OTLP_PROTOCOL says <c>http/protobuf</c> (then the signal paths are appended).</summary>
    internal static OpenTelemetry.Exporter.OtlpExportProtocol OtlpProtocol(IConfiguration configuration) =>
        string.Equals(configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]?.Trim(), "http/protobuf", StringComparison.OrdinalIgnoreCase)
            ? OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf
            : OpenTelemetry.Exporter.OtlpExportProtocol.Grpc;

    // Probes every few seconds and the scrape itself would drown the traces that matter.
    private static bool IsProbeOrScrape(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase);
}
