using System.Security.Claims;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Pipeline.Contracts;
using Pipeline.Deploy.Registry;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Security;
using Pipeline.Tabular.Text;

namespace Pipeline.Deploy.Serving;

/// <summary>The HTTP surface of Deploy.</summary>
public static class ServingApi
{
    /// <summary>
    /// <c>POST /predict/{model}</c>, <c>POST /predict/{model}/{version}</c>, <c>GET /models</c>,
    /// <c>GET /models/{name}</c>, <c>POST /models/{name}/rollback</c> (the last three also under <c>/api</c>),
    /// <c>POST /api/registry/gc</c> (<see cref="RegistryGcEndpoint"/>), <c>GET /health/live</c>, <c>GET /health/ready</c>.
    /// </summary>
    /// <param name="app">Where to map the routes.</param>
    /// <param name="includeRegistry">
    /// False maps only <c>/predict</c> and the health endpoints: serving on a port of its own, without the registry
    /// and its admin route (rollback). See <see cref="ServingOptions.RegistryRoutes"/>.
    /// </param>
    public static IEndpointRouteBuilder MapServingApi(this IEndpointRouteBuilder app, bool includeRegistry = true)
    {
        app.MapPost("/predict/{model}", (HttpContext http, string model, PredictionHandler handler) => handler.HandleAsync(http, model, null)).AsPrediction();
        app.MapPost("/predict/{model}/{version}", (HttpContext http, string model, string version, PredictionHandler handler) => handler.HandleAsync(http, model, version)).AsPrediction();
        if (!includeRegistry)
        {
            app.MapPipelineHealthChecks();
            return app;
        }

        // The registry under /models (the serving API's own address) and under /api/models, beside the jobs API
        // the dashboard uses, when both are hosted in one process.
        foreach (var prefix in new[] { "/models", "/api/models" })
        {
            var models = app.MapGroup(prefix).RequireAuthorization(PipelinePolicies.Read);
            models.MapGet("", async (ModelRegistry registry, CancellationToken ct) =>
            {
                var versions = await registry.ListAsync(null, ct);
                return Results.Ok(versions.GroupBy(v => v.Name).Select(g => new
                {
                    name = g.Key,
                    production = g.FirstOrDefault(v => v.Stage == ModelStage.Production)?.Version,
                    latest = g.Max(v => v.Version),
                    versions = g.Select(Describe),
                }));
            });

            models.MapGet("/{name}", async (string name, ModelRegistry registry, CancellationToken ct) =>
            {
                var versions = await registry.ListAsync(name, ct);
                if (versions.Count == 0)
                {
                    return Problems.Write(StatusCodes.Status404NotFound, "Unknown model", "name", $"model '{name}' is not registered");
                }

                var history = await registry.HistoryAsync(name, ct);
                return Results.Ok(new
                {
                    name,
                    production = versions.FirstOrDefault(v => v.Stage == ModelStage.Production)?.Version,
                    versions = versions.Select(Describe),
                    history = history.Select(h => new { version = h.Version, since = h.Since, until = h.Until, reason = h.Reason }),
                });
            });

            models.MapPost("/{name}/rollback", async (string name, HttpContext http, ModelRegistry registry, ModelCache cache, IPublishEndpoint publish, CancellationToken ct) =>
            {
                var request = await ReadRollbackRequestAsync(http.Request, ct);
                if (request is null)
                {
                    return Problems.Write(StatusCodes.Status400BadRequest, "Invalid rollback request", "body", "send {} or {\"toVersion\": N, \"requestedBy\": \"who\"}");
                }

                // Stored in the registry's history and shown on the dashboard: bounded and printable.
                if (request.RequestedBy is { } who && SafeText.CheckShortText(who) is { } whoError)
                {
                    return Problems.Write(StatusCodes.Status400BadRequest, "Invalid rollback request", "requestedBy", $"requestedBy {whoError}");
                }

                // The audit trail records who is signed in; what the body says is only a note beside it.
                var result = await registry.RollbackAsync(name, request.ToVersion, Actor(http.User, request.RequestedBy), ct);
                if (!result.Succeeded)
                {
                    var status = result.Error == RollbackError.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict;
                    return Problems.Write(status, "Rollback refused", request.ToVersion is null ? "name" : "toVersion", result.Message!);
                }

                if (result.FromVersion != result.ToVersion)
                {
                    // This instance swaps now; the others hear the event.
                    await cache.RefreshProductionAsync(name, ct);
                    await publish.Publish(new ModelRolledBack { ModelName = name, FromVersion = result.FromVersion, ToVersion = result.ToVersion }, ct);
                }

                return Results.Ok(new { name, fromVersion = result.FromVersion, toVersion = result.ToVersion });
            })
                .RequireAuthorization(PipelinePolicies.Admin)
                .AcceptsOnly(allowEmptyBody: true, "application/json");
        }

        app.MapRegistryGc();
        app.MapPipelineHealthChecks(); // for in-process hosts; PipelineHost has mapped them already for the deploy process
        return app;
    }

    /// <summary>Whether the configuration keeps the registry routes beside <c>/predict</c> (<see cref="ServingOptions.RegistryRoutes"/>).</summary>
    public static bool RegistryRoutesEnabled(IConfiguration configuration) =>
        configuration.GetSection(DeployOptions.Section).Get<DeployOptions>()?.Serving.RegistryRoutes ?? true;

    private static RouteHandlerBuilder AsPrediction(this RouteHandlerBuilder route) =>
        route.RequireAuthorization(PipelinePolicies.Predict)
            .RequireRateLimiting(SecurityRegistration.PredictLimit)
            .AcceptsOnly(allowEmptyBody: false, "application/json");

    /// <summary>The authenticated caller, with what the request says about itself as a note (short, printable).</summary>
    internal static string Actor(ClaimsPrincipal user, string? note)
    {
        var actor = PipelineClaims.ActorOf(user);
        if (string.IsNullOrWhiteSpace(note))
        {
            return actor;
        }

        var clean = SafeText.Echo(note.Trim(), maxLength: 64);
        return clean == actor ? actor : $"{actor} ({clean})";
    }

    private static object Describe(ModelVersionRecord v) => new
    {
        name = v.Name,
        version = v.Version,
        stage = v.Stage.ToString().ToLowerInvariant(),
        stageReason = v.StageReason,
        task = v.Task,
        jobId = v.JobId,
        createdAt = v.CreatedAt,
        stageChangedAt = v.StageChangedAt,
        gateMetric = v.GateMetric,
        test = JsonDocument.Parse(v.TestMetricsJson).RootElement,
        validation = JsonDocument.Parse(v.ValidationMetricsJson).RootElement,
        baseline = v.BaselineMetricsJson is null ? (JsonElement?)null : JsonDocument.Parse(v.BaselineMetricsJson).RootElement,
        artifacts = $"{v.ArtifactBucket}/{v.ArtifactPrefix}",
    };

    private static async Task<RollbackRequest?> ReadRollbackRequestAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any())
        {
            return new RollbackRequest(null, null);
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<RollbackRequest>(request.Body, JsonSerializerOptions.Web, ct);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record RollbackRequest(int? ToVersion, string? RequestedBy);
}
