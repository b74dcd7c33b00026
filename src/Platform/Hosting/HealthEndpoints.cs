using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipeline.Platform.Hosting;

/// <summary>
/// The health endpoints every service answers (Kubernetes probes, compose health checks):
/// <list type="bullet">
/// <item><c>GET /health/live</c>: 200 while the process serves HTTP and runs only the checks tagged
/// <see cref="LiveTag"/>: none of them fails on a broker or database outage (the process reconnects by itself); the
/// consumer watchdog's fails when a queue has lost its consumer for good, which only a restart mends.</item>
/// <item><c>GET /health/ready</c>: 200 when every check tagged <see cref="ReadyTag"/> passes: MassTransit's bus check
/// (the bus started and its endpoints are consuming) and the database check registered by the bus registration;
/// 503 otherwise, Degraded included: MassTransit reports a lost broker connection as Degraded (endpoints not
/// consuming), which the framework's default would answer with 200.</item>
/// </list>
/// Both answer a small JSON object naming each check and its status.
/// </summary>
public static class HealthEndpoints
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    /// <summary>The tag of readiness checks; MassTransit tags its bus check with it as well.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The tag of liveness checks: only faults a restart of the process mends.</summary>
    public const string LiveTag = "live";

    private const string MappedMarker = "Pipeline.Platform.Hosting.HealthEndpoints.Mapped";

    public static IServiceCollection AddPipelineHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks();
        return services;
    }

    /// <summary>
    /// Maps <see cref="LivePath"/> and <see cref="ReadyPath"/>. Idempotent, so that an API that maps them for
    /// in-process hosts (Deploy's serving API) can run inside <see cref="PipelineHost"/>, which maps them too.
    /// </summary>
    public static IEndpointRouteBuilder MapPipelineHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints is IApplicationBuilder app && !app.Properties.TryAdd(MappedMarker, true))
        {
            return endpoints;
        }

        // Probes (kubelet, compose) carry no credentials.
        endpoints.MapHealthChecks(LivePath, Options(LiveTag, degraded: StatusCodes.Status200OK)).AllowAnonymous();
        endpoints.MapHealthChecks(ReadyPath, Options(ReadyTag, degraded: StatusCodes.Status503ServiceUnavailable)).AllowAnonymous();
        return endpoints;
    }

    /// <summary>The checks of one tag, answered as JSON; Unhealthy is 503, Degraded as given.</summary>
    private static HealthCheckOptions Options(string tag, int degraded) => new()
    {
        Predicate = c => c.Tags.Contains(tag),
        ResponseWriter = WriteJsonAsync,
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = degraded,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };

    // {"status":"Healthy","checks":{"masstransit-bus":{"status":"Healthy","description":"Ready"}}}; exception
    // messages stay in the logs (they may name hosts and users).
    private static async Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            if (!string.IsNullOrEmpty(entry.Description))
            {
                json.WriteString("description", entry.Description);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
