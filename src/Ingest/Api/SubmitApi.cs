using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Platform.Artifacts;

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
        app.MapPost("/api/jobs", async (HttpRequest request, IngestClient client, IOptions<IngestOptions> options, CancellationToken ct) =>
        {
            if (request.HasJsonContentType())
            {
                return await SubmitExistingAsync(request, client, ct);
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

            var submitted = await client.SubmitAsync(request.Body, key, spec, ct);
            return Accepted(submitted);
        });
        return app;
    }

    private static async Task<IResult> SubmitExistingAsync(HttpRequest request, IngestClient client, CancellationToken ct)
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

        var submitted = await client.SubmitExistingAsync(key, body.Spec, ct);
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

    /// <summary>Reads the spec options of a file upload; absent ones keep the documented defaults.</summary>
    internal static bool TryReadSpec(IQueryCollection query, out JobSpec spec, out (string Field, string Message) error)
    {
        spec = new JobSpec();
        error = default;
        var defaults = new TrainingSettings();
        if (!TryInt(query, "shards", defaults.Shards, out var shards, ref error)
            || !TryInt(query, "rounds", defaults.Rounds, out var rounds, ref error)
            || !TryInt(query, "seed", defaults.Seed, out var seed, ref error))
        {
            return false;
        }

        TaskKind task;
        switch (query["task"].ToString())
        {
            case "" or "auto":
                task = TaskKind.Auto;
                break;
            case "regression":
                task = TaskKind.Regression;
                break;
            case "classification":
                task = TaskKind.Classification;
                break;
            case var other:
                error = ("task", $"'{other}' is not regression, classification or auto");
                return false;
        }

        spec = new JobSpec
        {
            Target = NullIfEmpty(query["target"].ToString()),
            ModelName = NullIfEmpty(query["model"].ToString()),
            Task = task,
            Training = defaults with { Shards = shards, Rounds = rounds, Seed = seed },
        };
        return true;
    }

    private static bool TryInt(IQueryCollection query, string field, int fallback, out int value, ref (string Field, string Message) error)
    {
        var text = query[field].ToString();
        value = fallback;
        if (text.Length == 0 || int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        error = (field, $"'{text}' is not a whole number");
        return false;
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private sealed record SubmitExisting(string? Key, JobSpec? Spec);
}
