using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Pipeline.Platform.Hosting;
using Pipeline.Contracts;
using Pipeline.Ingest.Registry;
using Pipeline.Platform.Security;
using Pipeline.Tabular.Text;
using Pipeline.Contracts.Api;

namespace Pipeline.Ingest.Api;

/// <summary>The body of a retrain: settings to change, in the object-metadata vocabulary (<c>{"seed": "7"}</c>).</summary>
public sealed record RetrainRequest(IReadOnlyDictionary<string, string>? Settings = null);

/// <summary>
/// <c>POST /api/jobs/{id}/retrain</c>: a new job on the object an old job trained on, with the spec the old job was
/// submitted with (so what its automatic plan chose is chosen again) and the given settings on top. Ingest owns
/// both halves: it recorded the object version and the submitted spec, and it starts jobs. The spec names the old
/// job (<c>retrain-of</c>), so a retrain is a new job even with nothing changed. Same checks as a submit.
/// </summary>
public static class RetrainApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapRetrainApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/jobs/{id:guid}/retrain", async Task<Results<Accepted<JobAccepted>, ProblemHttpResult>> (Guid id, HttpRequest request, ClaimsPrincipal user, IngestClient client, IDbContextFactory<IngestDbContext> databases, IOptions<IngestOptions> options, CancellationToken ct) =>
        {
            RetrainRequest? body = null;
            if (request.ContentLength is not 0 && request.HasJsonContentType())
            {
                try
                {
                    body = await JsonSerializer.DeserializeAsync<RetrainRequest>(request.Body, Json, ct);
                }
                catch (JsonException ex)
                {
                    return Problem(StatusCodes.Status400BadRequest, "Invalid retrain request", $"body: not valid JSON ({SafeText.Echo(ex.Message)}); send {{\"settings\": {{\"seed\": \"7\"}}}}");
                }
            }

            ObjectVersionRecord? old;
            await using (var db = await databases.CreateDbContextAsync(ct))
            {
                old = await db.ObjectVersions.AsNoTracking().FirstOrDefaultAsync(v => v.JobId == id, ct);
            }

            if (old is null)
            {
                return Problem(StatusCodes.Status404NotFound, "Unknown job", $"no job {id} was started by this system's ingest");
            }

            var submitted = JsonSerializer.Deserialize<JobSpec>(old.SpecJson) ?? new JobSpec();
            var baseSpec = submitted with { SubmittedBy = null, Plan = null, RetrainOf = id };
            if (!SubmitApi.TryReadSpec(body?.Settings ?? new Dictionary<string, string>(), baseSpec, options.Value.MaxParameters, out var spec, out var error))
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid retrain request", $"{error.Field}: {error.Message}");
            }

            SubmittedFile? started;
            try
            {
                started = await client.SubmitExistingAsync(old.Key, spec with { SubmittedBy = PipelineClaims.ActorOf(user) }, ct, bucket: old.Bucket);
            }
            catch (BrokerUnavailableException ex)
            {
                return SubmitApi.BrokerUnavailable(request.HttpContext, ex);
            }

            return started is null
                ? Problem(StatusCodes.Status404NotFound, "File gone", $"job {id} trained on {old.Bucket}/{SafeText.Echo(old.Key)}, which is no longer in the bucket; submit the file again")
                : TypedResults.Accepted($"/api/jobs/{started.JobId}", new JobAccepted(started.JobId, started.Source.ToString()));
        })
            .RequireAuthorization(PipelinePolicies.Submit)
            .RequireRateLimiting(SecurityRegistration.SubmitLimit)
            .AcceptsOnly(allowEmptyBody: true, "application/json")
            .WithRequestExample("""{"settings": {"seed": "7", "epochs": "2"}}""")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(detail: detail, statusCode: status, title: title);
}
