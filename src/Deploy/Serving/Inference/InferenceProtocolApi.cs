using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Pipeline.Deploy.Registry;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Security;

namespace Pipeline.Deploy.Serving.Inference;

/// <summary>
/// The Open Inference Protocol (KServe v2) REST endpoints beside <c>/predict</c>, answering from the same models
/// through the same <see cref="PredictionHandler"/> (one encoder, one set of limits): <c>GET /v2</c>,
/// <c>/v2/health/live</c>, <c>/v2/health/ready</c>, <c>GET /v2/models/{name}[/versions/{v}]</c> (metadata),
/// <c>.../ready</c> and <c>POST .../infer</c>. Without a version: the production version. Errors are the
/// protocol's <c>{"error": "..."}</c>: 404 for an unknown model or version, 413 over the size limits, 400 otherwise.
/// Authorization as <c>/predict</c> (predictor role); <c>infer</c> has its rate limit and body rules too; the health
/// endpoints are open, as <c>/health/*</c> are.
/// </summary>
public static class InferenceProtocolApi
{
    /// <summary>The <c>platform</c> the metadata names: this engine's own model format (model.pnnm).</summary>
    public const string Platform = "pipeline_pnnm";

    /// <summary>A header of the binary tensor extension, which this server does not speak.</summary>
    private const string BinaryHeader = "Inference-Header-Content-Length";

    private static readonly string ServerVersion =
        typeof(InferenceProtocolApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static IEndpointRouteBuilder MapInferenceProtocol(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var v2 = app.MapGroup("/v2").WithTags("Open Inference Protocol");
        v2.MapGet("", () => TypedResults.Ok(new InferenceServerMetadata("pipeline", ServerVersion, [])))
            .RequireAuthorization(PipelinePolicies.Predict);
        v2.MapGet("/health/live", () => TypedResults.Ok(new InferenceLiveness(true))).AllowAnonymous();
        v2.MapGet("/health/ready", ReadyAsync).AllowAnonymous();

        foreach (var model in new[] { "/models/{name}", "/models/{name}/versions/{version}" })
        {
            v2.MapGet(model, MetadataAsync).RequireAuthorization(PipelinePolicies.Predict);
            v2.MapGet(model + "/ready", ModelReadyAsync).RequireAuthorization(PipelinePolicies.Predict);
            v2.MapPost(model + "/infer", InferAsync)
                .RequireAuthorization(PipelinePolicies.Predict)
                .RequireRateLimiting(SecurityRegistration.PredictLimit)
                .AcceptsOnly(allowEmptyBody: false, "application/json")
                .Produces<InferenceError>(StatusCodes.Status413PayloadTooLarge)
                .WithRequestExample(ServingExamples.Infer, "name=houses", "version=1");
        }

        return app;
    }

    /// <summary>The protocol answers 200 for ready and a 4xx for not ready; readiness is that of <c>/health/ready</c>.</summary>
    private static async Task<Results<Ok<InferenceReadiness>, BadRequest<InferenceReadiness>>> ReadyAsync(HealthCheckService health, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(c => c.Tags.Contains(HealthEndpoints.ReadyTag), ct);
        return report.Status == HealthStatus.Healthy
            ? TypedResults.Ok(new InferenceReadiness(true))
            : TypedResults.BadRequest(new InferenceReadiness(false));
    }

    private static async Task<Results<Ok<InferenceModelMetadata>, NotFound<InferenceError>>> MetadataAsync(string name, HttpContext http, PredictionHandler handler, ModelRegistry registry, CancellationToken ct)
    {
        var version = VersionOf(http);
        var (served, notFound) = await handler.ResolveAsync(name, version, ct);
        if (served is null)
        {
            return TypedResults.NotFound(new InferenceError(notFound!.OneLine()));
        }

        var versions = (await registry.ListAsync(name, ct)).Select(v => v.Version).Order().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToList();
        var inputs = served.Transform.Columns.Select(c => new InferenceTensorMetadata(c.Name, InferenceDatatypes.For(c.Kind), [-1, 1])).ToList();
        List<InferenceTensorMetadata> outputs = served.IsClassification && served.Transform.Classes is { } classes
            ?
            [
                new(InferenceResult.PredictOutput, InferenceDatatypes.Bytes, [-1, 1]),
                new(InferenceResult.ProbabilitiesOutput, InferenceDatatypes.Fp32, [-1, classes.Count]) { Parameters = new InferenceOutputParameters(classes) },
            ]
            : [new(InferenceResult.PredictOutput, InferenceDatatypes.Fp32, [-1, 1])];
        return TypedResults.Ok(new InferenceModelMetadata(name, versions, Platform, inputs, outputs));
    }

    /// <summary>Ready once loaded: resolving the version loads it (as the first prediction would).</summary>
    private static async Task<Results<Ok<InferenceModelReadiness>, NotFound<InferenceError>>> ModelReadyAsync(string name, HttpContext http, PredictionHandler handler, CancellationToken ct)
    {
        var version = VersionOf(http);
        var (served, notFound) = await handler.ResolveAsync(name, version, ct);
        return served is null
            ? TypedResults.NotFound(new InferenceError(notFound!.OneLine()))
            : TypedResults.Ok(new InferenceModelReadiness(name, served.Version.ToString(CultureInfo.InvariantCulture), true));
    }

    private static async Task<Results<InferenceResult, BadRequest<InferenceError>, NotFound<InferenceError>, JsonHttpResult<InferenceError>>> InferAsync(
        HttpContext http, string name, PredictionHandler handler, IOptions<DeployOptions> options)
    {
        var ct = http.RequestAborted;
        var version = VersionOf(http);
        if (http.Request.Headers.ContainsKey(BinaryHeader))
        {
            return TypedResults.BadRequest(new InferenceError($"binary tensor data ({BinaryHeader}) is not supported; send the request as JSON"));
        }

        var (served, notFound) = await handler.ResolveAsync(name, version, ct);
        if (served is null)
        {
            return Error(notFound!);
        }

        var (body, unreadable) = await handler.ReadBodyAsync(http.Request, ct);
        if (body is null)
        {
            return Error(unreadable!);
        }

        using (body)
        {
            try
            {
                using var request = JsonDocument.Parse(body.Memory);
                var (rows, refusal) = InferenceRequestReader.Read(request.RootElement, served.Transform, InferenceResult.OutputNames(served), options.Value.Serving.MaxBatchRows);
                if (rows is null)
                {
                    return Error(refusal!);
                }

                // The tensors as /predict's rows, through the same encoder and checks.
                using var document = JsonDocument.Parse(rows.RowsJson);
                var (prediction, refused) = handler.Predict(served, document.RootElement);
                return prediction is null ? Error(refused!) : new InferenceResult(prediction, rows.Id, rows.RequestedOutputs);
            }
            catch (JsonException ex)
            {
                return Error(Problems.InvalidJsonRefusal(ex));
            }
        }
    }

    /// <summary>From the route only (<c>/versions/{version}</c>), never from the query string.</summary>
    private static string? VersionOf(HttpContext http) => http.GetRouteValue("version") as string;

    private static Results<InferenceResult, BadRequest<InferenceError>, NotFound<InferenceError>, JsonHttpResult<InferenceError>> Error(PredictionRefusal refusal)
    {
        var error = new InferenceError(refusal.OneLine());
        return refusal.Status switch
        {
            StatusCodes.Status404NotFound => TypedResults.NotFound(error),
            StatusCodes.Status413PayloadTooLarge => TypedResults.Json(error, statusCode: StatusCodes.Status413PayloadTooLarge),
            _ => TypedResults.BadRequest(error),
        };
    }
}
