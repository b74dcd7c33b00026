using System.Security.Claims;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Pipeline.Contracts;
using Pipeline.Deploy.Registry;
using Pipeline.Deploy.Serving.Artifacts;
using Pipeline.Deploy.Serving.Inference;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Security;
using Pipeline.Tabular.Text;
using Pipeline.Contracts.Api;

namespace Pipeline.Deploy.Serving;

/// <summary>The HTTP surface of Deploy.</summary>
public static class ServingApi
{
    /// <summary>
    /// <c>POST /predict/{model}</c>, <c>POST /predict/{model}/{version}</c>, <c>GET /models</c>,
    /// <c>GET /models/{name}</c>, <c>GET /models/{name}/versions/{version}/artifacts/{artifact}</c>,
    /// <c>POST /models/{name}/rollback</c> (the registry routes also under <c>/api</c>),
    /// <c>POST /api/registry/gc</c> (<see cref="RegistryGcEndpoint"/>), <c>GET /health/live</c>,
    /// <c>GET /health/ready</c>, and the Open Inference Protocol's <c>/v2/...</c> (<see cref="InferenceProtocolApi"/>).
    /// </summary>
    /// <param name="app">Where to map the routes.</param>
    /// <param name="includeRegistry">
    /// False maps only <c>/predict</c>, the inference protocol's <c>/v2</c> and the health endpoints: serving on a port of its own, without the registry
    /// and its admin route (rollback). See <see cref="ServingOptions.RegistryRoutes"/>.
    /// </param>
    public static IEndpointRouteBuilder MapServingApi(this IEndpointRouteBuilder app, bool includeRegistry = true)
    {
        app.MapPost("/predict/{model}", (HttpContext http, string model, PredictionHandler handler) => handler.HandleAsync(http, model, null)).AsPrediction()
            .WithRequestExample(ServingExamples.Rows, "model=houses");
        app.MapPost("/predict/{model}/{version}", (HttpContext http, string model, string version, PredictionHandler handler) => handler.HandleAsync(http, model, version)).AsPrediction()
            .WithRequestExample(ServingExamples.Rows, "model=houses", "version=1");
        app.MapInferenceProtocol();
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
            models.MapGet("", async Task<Ok<List<ModelSummaryView>>> (ModelRegistry registry, CancellationToken ct) =>
            {
                var versions = await registry.ListAsync(null, ct);
                return TypedResults.Ok(versions.GroupBy(v => v.Name).Select(g => new ModelSummaryView(
                    g.Key,
                    g.FirstOrDefault(v => v.Stage == ModelStage.Production)?.Version,
                    g.Max(v => v.Version),
                    [.. g.Select(Describe)])).ToList());
            });

            models.MapGet("/{name}", async Task<Results<Ok<ModelDetailView>, ProblemHttpResult>> (string name, ModelRegistry registry, CancellationToken ct) =>
            {
                var versions = await registry.ListAsync(name, ct);
                if (versions.Count == 0)
                {
                    return Problems.Write(StatusCodes.Status404NotFound, "Unknown model", "name", $"model '{name}' is not registered");
                }

                var history = await registry.HistoryAsync(name, ct);
                return TypedResults.Ok(new ModelDetailView(
                    name,
                    versions.FirstOrDefault(v => v.Stage == ModelStage.Production)?.Version,
                    [.. versions.Select(Describe)],
                    [.. history.Select(h => new ProductionPeriodView(h.Version, h.Since, h.Until, h.Reason))]));
            }).ProducesProblem(StatusCodes.Status404NotFound);

            models.MapModelArtifacts();

            models.MapPost("/{name}/rollback", async Task<Results<Ok<RollbackView>, ProblemHttpResult>> (string name, HttpContext http, ModelRegistry registry, ModelCache cache, IPublishEndpoint publish, CancellationToken ct) =>
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

                return TypedResults.Ok(new RollbackView(name, result.FromVersion, result.ToVersion));
            })
                .ProducesProblem(StatusCodes.Status400BadRequest)
                .ProducesProblem(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status409Conflict)
                .RequireAuthorization(PipelinePolicies.Admin)
                .AcceptsOnly(allowEmptyBody: true, "application/json")
                .WithRequestExample(ServingExamples.Rollback, "name=houses");
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

    private static ModelVersionView Describe(ModelVersionRecord v) => new(
        v.Name,
        v.Version,
        v.Stage.ToString().ToLowerInvariant(),
        v.StageReason,
        v.Task,
        v.JobId,
        v.CreatedAt,
        v.StageChangedAt,
        v.GateMetric,
        JsonElement.Parse(v.TestMetricsJson),
        JsonElement.Parse(v.ValidationMetricsJson),
        v.BaselineMetricsJson is null ? null : JsonElement.Parse(v.BaselineMetricsJson),
        $"{v.ArtifactBucket}/{v.ArtifactPrefix}");

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
