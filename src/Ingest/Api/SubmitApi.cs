using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Ingest.Spec;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Security;
using Pipeline.Tabular.Naming;

namespace Pipeline.Ingest.Api;

/// <summary>
/// <c>POST /api/jobs</c>: starts a job, either on a file sent as the request body (streamed into the ingest bucket
/// under <c>?name=</c>) or, with a JSON body <c>{"key": ..., "spec": {...}}</c>, on an object already in the bucket.
/// Spec options for a file upload come as query parameters: <c>target</c>, <c>task</c>, <c>model</c>,
/// <c>shards</c>, <c>rounds</c>, <c>seed</c>. Answers 202 with the job id; the job's progress is at /api/jobs/{id}.
/// </summary>
public static class SubmitApi
{
    /// <summary>The spec in a JSON body names its task as in the CLI: "regression", "classification" or "auto".</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static IEndpointRouteBuilder MapSubmitApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/jobs", async (HttpRequest request, ClaimsPrincipal user, IngestClient client, IOptions<IngestOptions> options, CancellationToken ct) =>
        {
            var submittedBy = PipelineClaims.ActorOf(user);
            if (request.HasJsonContentType())
            {
                return await SubmitExistingAsync(request, submittedBy, client, ct);
            }

            var name = request.Query["name"].ToString();
            if (name.Length == 0)
            {
                return Problem("name", "give the file's name as ?name=FILE (the body is the file itself)");
            }

            var key = options.Value.Prefix + name;
            if (!IsValidKey(key, out var keyError))
            {
                return Problem("name", keyError);
            }

            if (!TryReadSpec(request.Query, out var spec, out var specError))
            {
                return Problem(specError.Field, specError.Message);
            }

            var submitted = await client.SubmitAsync(request.Body, key, spec with { SubmittedBy = submittedBy }, ct);
            return Accepted(submitted);
        })
            .RequireAuthorization(PipelinePolicies.Submit)
            .RequireRateLimiting(SecurityRegistration.SubmitLimit)
            .AcceptsOnly(allowEmptyBody: false, UploadContentTypes);
        return app;
    }

    /// <summary>
    /// What the body may be: a data file (<c>text/csv</c>, gzip, or untyped bytes) or the JSON form. Never a form or
    /// <c>text/plain</c>, the types a page on another origin could send without asking first.
    /// </summary>
    public static readonly string[] UploadContentTypes = ["text/csv", "application/gzip", "application/x-gzip", "application/octet-stream", "application/json"];

    private static async Task<IResult> SubmitExistingAsync(HttpRequest request, string submittedBy, IngestClient client, CancellationToken ct)
    {
        SubmitExisting? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<SubmitExisting>(request.Body, Json, ct);
        }
        catch (JsonException ex)
        {
            return Problem("body", $"not valid JSON ({ex.Message}); send {{\"key\": \"data/houses.csv\", \"spec\": {{\"target\": \"price\"}}}}");
        }

        if (body?.Key is not { Length: > 0 } key)
        {
            return Problem("key", "give the object's key in the ingest bucket");
        }

        if (!IsValidKey(key, out var keyError))
        {
            return Problem("key", keyError);
        }

        if (body.Spec is { } given && !CheckSpec(given, out var specError))
        {
            return Problem(specError.Field, specError.Message);
        }

        var submitted = await client.SubmitExistingAsync(key, (body.Spec ?? new JobSpec()) with { SubmittedBy = submittedBy }, ct);
        return submitted is null
            ? Results.Problem(title: "No such object", detail: $"nothing at '{key}' in the ingest bucket; upload it first or send the file itself", statusCode: StatusCodes.Status404NotFound)
            : Accepted(submitted);
    }

    private static IResult Accepted(SubmittedFile submitted) =>
        Results.Accepted($"/api/jobs/{submitted.JobId}", new { jobId = submitted.JobId, source = submitted.Source.ToString() });

    private static IResult Problem(string field, string message) =>
        Results.Problem(title: "Invalid submission", detail: $"{field}: {message}", statusCode: StatusCodes.Status400BadRequest);

    private static bool IsValidKey(string key, out string error)
    {
        try
        {
            ArtifactKey.Validate(key);
            error = "";
            return true;
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>
    /// Reads the spec of a file upload from the query (the object-metadata keys: <c>target</c>, <c>task</c>,
    /// <c>model</c>, <c>shards</c>, <c>rounds</c>, ...; absent ones keep the defaults) with the one parser, and checks it
    /// with <see cref="CheckSpec"/>, so a bad value is refused here, before the upload is stored.
    /// </summary>
    internal static bool TryReadSpec(IQueryCollection query, out JobSpec spec, out (string Field, string Message) error)
    {
        spec = new JobSpec();
        error = default;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in query)
        {
            if (key == "name")
            {
                continue;
            }

            if (!JobSpecMetadata.Keys.Contains(key))
            {
                error = (key, $"not a job setting; the settings are: {string.Join(", ", JobSpecMetadata.Keys)}");
                return false;
            }

            values[key] = value.ToString();
        }

        var (parsed, errors) = JobSpecMetadata.Parse(values);
        if (errors.Count > 0)
        {
            error = ("spec", string.Join(" ", errors));
            return false;
        }

        spec = parsed;
        return CheckSpec(spec, out error);
    }

    /// <summary>The bounds of every training setting and the model-name rule, as Ingest applies them to any job.</summary>
    internal static bool CheckSpec(JobSpec spec, out (string Field, string Message) error)
    {
        error = default;
        var bounds = TrainingSettingsBounds.Check(spec.Training);
        if (bounds.Count > 0)
        {
            error = ("spec", string.Join(" ", bounds));
            return false;
        }

        if (spec.ModelName is { Length: > 0 } model && !ModelNames.IsValid(model))
        {
            error = ("model", $"'{Shorten(model)}' is not a usable model name: {ModelNames.Rule}");
            return false;
        }

        return true;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private sealed record SubmitExisting(string? Key, JobSpec? Spec);
}
