using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Platform.Hosting;
using Pipeline.Contracts;
using Pipeline.Ingest.Spec;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Security;
using Pipeline.Tabular.Naming;
using Pipeline.Tabular.Text;
using Pipeline.Contracts.Api;

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
        app.MapPost("/api/jobs", async Task<Results<Accepted<JobAccepted>, ProblemHttpResult>> (HttpRequest request, ClaimsPrincipal user, IngestClient client, IOptions<IngestOptions> options, CancellationToken ct) =>
        {
            var submittedBy = PipelineClaims.ActorOf(user);
            if (request.HasJsonContentType())
            {
                return await SubmitExistingAsync(request, submittedBy, client, options.Value, ct);
            }

            var name = request.Query["name"].ToString();
            if (name.Length == 0)
            {
                return Problem("name", "give the file's name as ?name=FILE (the body is the file itself)");
            }

            var o = options.Value;
            var key = o.Prefix + name;
            if (!IsValidKey(key, out var keyError))
            {
                return Problem("name", keyError);
            }

            if (IsQuarantined(key, o) is { } quarantined)
            {
                return quarantined;
            }

            if (!TryReadSpec(request.Query, o.MaxParameters, out var spec, out var specError))
            {
                return Problem(specError.Field, specError.Message);
            }

            return await UploadAsync(request, client, key, spec with { SubmittedBy = submittedBy }, o.MaxFileBytes, ct);
        })
            .RequireAuthorization(PipelinePolicies.Submit)
            .RequireRateLimiting(SecurityRegistration.SubmitLimit)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AcceptsOnly(allowEmptyBody: false, UploadContentTypes)
            .WithRequestExample("""{"key": "houses.csv", "spec": {"target": "price", "task": "regression", "training": {"seed": 7}}}""");
        return app;
    }

    /// <summary>
    /// What the body may be: a data file (<c>text/csv</c>, gzip, Parquet, or untyped bytes) or the JSON form. Never a form or
    /// <c>text/plain</c>, the types a page on another origin could send without asking first.
    /// </summary>
    public static readonly string[] UploadContentTypes = ["text/csv", "application/gzip", "application/x-gzip", MediaTypes.Parquet, "application/octet-stream", "application/json"];

    /// <summary>
    /// Streams the body into the store (never buffered whole) under a body limit set here on purpose, from
    /// <c>MaxFileBytes</c>, instead of the server's default; a larger body is a 413 that names the setting.
    /// </summary>
    private static async Task<Results<Accepted<JobAccepted>, ProblemHttpResult>> UploadAsync(HttpRequest request, IngestClient client, string key, JobSpec spec, long maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = maxBytes;
        }

        try
        {
            return Accepted(await client.SubmitAsync(request.Body, key, spec, ct));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(maxBytes);
        }
        catch (BrokerUnavailableException ex)
        {
            return BrokerUnavailable(request.HttpContext, ex);
        }
    }

    /// <summary>
    /// 503 with Retry-After instead of a hang: the broker is down. The upload is kept, and submitting the same
    /// bytes (or the same key) again names the same job, so a retry is safe.
    /// </summary>
    internal static ProblemHttpResult BrokerUnavailable(HttpContext http, BrokerUnavailableException ex)
    {
        var retryAfter = http.RequestServices.GetRequiredService<IOptions<IngestOptions>>().Value.SubmitRetryAfter;
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            title: "Message broker unavailable",
            detail: $"{ex.Message}; the file is stored as {ex.Stored.Bucket}/{ex.Stored.Key}: submit again after the Retry-After (the same bytes name the same job {ex.JobId})",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            extensions: new Dictionary<string, object?> { ["jobId"] = ex.JobId });
    }

    private static ProblemHttpResult TooLarge(long maxBytes) =>
        TypedResults.Problem(title: "File too large", detail: $"body: the file is larger than the limit of {maxBytes} bytes (setting Pipeline:Ingest:MaxFileBytes)", statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <summary>Rejected files are kept under the rejected prefix with their reason: clients never write there.</summary>
    private static ProblemHttpResult? IsQuarantined(string key, IngestOptions options) =>
        options.RejectedPrefix.Length > 0 && key.StartsWith(options.RejectedPrefix, StringComparison.Ordinal)
            ? TypedResults.Problem(title: "Quarantine is read-only", detail: $"name: '{options.RejectedPrefix}' holds rejected files and their reasons; submit under another name", statusCode: StatusCodes.Status403Forbidden)
            : null;

    private static async Task<Results<Accepted<JobAccepted>, ProblemHttpResult>> SubmitExistingAsync(HttpRequest request, string submittedBy, IngestClient client, IngestOptions options, CancellationToken ct)
    {
        SubmitExisting? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<SubmitExisting>(request.Body, Json, ct);
        }
        catch (JsonException ex)
        {
            return Problem("body", $"not valid JSON ({SafeText.Echo(ex.Message)}); send {{\"key\": \"data/houses.csv\", \"spec\": {{\"target\": \"price\"}}}}");
        }

        if (body?.Key is not { Length: > 0 } key)
        {
            return Problem("key", "give the object's key in the ingest bucket");
        }

        if (!IsValidKey(key, out var keyError))
        {
            return Problem("key", keyError);
        }

        if (IsQuarantined(key, options) is { } quarantined)
        {
            return quarantined;
        }

        if (body.Spec is { } given && !CheckSpec(given, options.MaxParameters, asciiOnly: false, out var specError))
        {
            return Problem(specError.Field, specError.Message);
        }

        SubmittedFile? submitted;
        try
        {
            submitted = await client.SubmitExistingAsync(key, (body.Spec ?? new JobSpec()) with { SubmittedBy = submittedBy }, ct);
        }
        catch (BrokerUnavailableException ex)
        {
            return BrokerUnavailable(request.HttpContext, ex);
        }

        return submitted is null
            ? TypedResults.Problem(title: "No such object", detail: $"nothing at '{SafeText.Echo(key)}' in the ingest bucket; upload it first or send the file itself", statusCode: StatusCodes.Status404NotFound)
            : Accepted(submitted);
    }

    private static Accepted<JobAccepted> Accepted(SubmittedFile submitted) =>
        TypedResults.Accepted($"/api/jobs/{submitted.JobId}", new JobAccepted(submitted.JobId, submitted.Source.ToString()));

    private static ProblemHttpResult Problem(string field, string message) =>
        TypedResults.Problem(title: "Invalid submission", detail: $"{field}: {message}", statusCode: StatusCodes.Status400BadRequest);

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
    internal static bool TryReadSpec(IQueryCollection query, long maxParameters, out JobSpec spec, out (string Field, string Message) error) =>
        TryReadSpec(query.Where(q => q.Key != "name").Select(q => KeyValuePair.Create(q.Key, q.Value.ToString())), new JobSpec(), maxParameters, out spec, out error);

    /// <summary>The settings (object-metadata keys to values) applied on top of <paramref name="baseSpec"/>, read and checked as above.</summary>
    internal static bool TryReadSpec(IEnumerable<KeyValuePair<string, string>> settings, JobSpec baseSpec, long maxParameters, out JobSpec spec, out (string Field, string Message) error)
    {
        spec = baseSpec;
        error = default;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in settings)
        {
            if (!JobSpecMetadata.Keys.Contains(key))
            {
                error = (SafeText.Echo(key), $"not a job setting; the settings are: {string.Join(", ", JobSpecMetadata.Keys)}");
                return false;
            }

            values[key] = value;
        }

        var (parsed, errors) = JobSpecMetadata.Parse(values, baseSpec);
        if (errors.Count > 0)
        {
            error = ("spec", SafeText.Echo(string.Join(" ", errors), 1000));
            return false;
        }

        spec = parsed;
        if (!CheckSpec(spec, maxParameters, asciiOnly: true, out error))
        {
            return false;
        }

        // The spec of an upload travels as the object's metadata: whatever the store would refuse is a 400 here.
        try
        {
            ArtifactKey.ValidateMetadata(JobSpecMetadata.ToMetadata(spec));
            return true;
        }
        catch (ArgumentException ex)
        {
            error = ("spec", SafeText.Echo(ex.Message));
            return false;
        }
    }

    /// <summary>
    /// The bounds of every training setting, the network's size (hidden layers alone: the features are not known
    /// yet), and the model- and target-name rules, as Ingest applies them to any job.
    /// </summary>
    internal static bool CheckSpec(JobSpec spec, long maxParameters, bool asciiOnly, out (string Field, string Message) error)
    {
        error = default;
        var bounds = TrainingSettingsBounds.Check(spec.Training);
        if (bounds.Count > 0)
        {
            error = ("spec", SafeText.Echo(string.Join(" ", bounds), 1000));
            return false;
        }

        if (ModelSize.Check(spec.Training, inputs: 1, maxParameters) is { } tooLarge)
        {
            error = ("hidden-layers", tooLarge);
            return false;
        }

        if (spec.ModelName is { Length: > 0 } model && !ModelNames.IsValid(model))
        {
            error = ("model", $"'{SafeText.Echo(model, 80)}' is not a usable model name: {ModelNames.Rule}");
            return false;
        }

        if (spec.Target is { } target && TargetNames.Check(target, asciiOnly) is { } targetError)
        {
            error = ("target", targetError);
            return false;
        }

        return true;
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private sealed record SubmitExisting(string? Key, JobSpec? Spec);
}

