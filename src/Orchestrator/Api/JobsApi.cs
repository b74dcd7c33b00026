using System.Security.Claims;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Contracts;
using Pipeline.Orchestrator.Retention;
using Pipeline.Orchestrator.StateMachines;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Security;
using Pipeline.Tabular.Text;
using Pipeline.Contracts.Api;

namespace Pipeline.Orchestrator.Api;

/// <summary>
/// The jobs REST API under <c>/api</c>, the data behind the dashboard and the CLI's status, watch and cancel:
/// <c>GET /api/jobs</c>, <c>GET /api/jobs/{id}</c>, <c>GET /api/jobs/{id}/profile</c>,
/// <c>POST /api/jobs/{id}/cancel</c>, <c>POST /api/jobs/{id}/redeploy</c> (<see cref="RedeployEndpoint"/>),
/// <c>POST /api/gc</c> (<see cref="GcEndpoint"/>) and
/// <c>GET /api/events</c> (server-sent events, optionally <c>?job=ID</c>).
/// </summary>
public static class JobsApi
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization(PipelinePolicies.Read);

        // Typed results, so the routes describe their answers (and an OpenAPI document can list them).
        api.MapGet("/jobs", async Task<Ok<List<JobSummary>>> (IDbContextFactory<OrchestratorDbContext> contexts, string? state, int? limit, CancellationToken ct) =>
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var query = db.Jobs.AsNoTracking();
            if (state is { Length: > 0 })
            {
                var saga = JobViewMapper.SagaStateOf(state);
                query = query.Where(j => j.CurrentState == saga);
            }

            var jobs = await query.OrderByDescending(j => j.SubmittedAt).Take(Math.Clamp(limit ?? 100, 1, 1000)).ToListAsync(ct);
            return TypedResults.Ok(jobs.Select(JobViewMapper.Summary).ToList());
        });

        api.MapGet("/jobs/{id:guid}", async Task<Results<Ok<JobDetail>, ProblemHttpResult>> (Guid id, JobQueries jobs, CancellationToken ct) =>
            await jobs.FindAsync(id, ct) is { } job ? TypedResults.Ok(job) : NotFound(id))
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/jobs/{id:guid}/profile", async Task<Results<FileStreamHttpResult, ProblemHttpResult>> (Guid id, IDbContextFactory<OrchestratorDbContext> contexts, IArtifactStore store, CancellationToken ct) =>
        {
            var job = await FindAsync(contexts, id, ct);
            if (job?.Prepared?.Profile is not { } profile)
            {
                return job is null ? NotFound(id) : Problem(StatusCodes.Status404NotFound, "No profile yet", $"job {id} has not been preprocessed");
            }

            // Passed through as stored: Preprocess owns its shape (columns kept, dropped and why, imputation).
            try
            {
                var stream = await store.OpenVerifiedReadAsync(profile, ct);
                return TypedResults.Stream(stream, "application/json");
            }
            catch (ArtifactNotFoundException)
            {
                // A cancelled or failed job's objects go after Pipeline:Retention:FailedJobGrace (docs/RELIABILITY.md).
                return Problem(StatusCodes.Status404NotFound, "Profile deleted", $"job {id}'s profile is no longer stored (retention policy, Pipeline:Retention)");
            }
        })
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/jobs/{id:guid}/cancel", async Task<Results<Accepted<CancelAccepted>, ProblemHttpResult>> (Guid id, HttpRequest request, ClaimsPrincipal user, IDbContextFactory<OrchestratorDbContext> contexts, IPublishEndpoint publish, CancellationToken ct) =>
        {
            var reason = request.Query["reason"].ToString() is { Length: > 0 } r ? r : "cancelled by user";
            if (SafeText.CheckShortText(reason) is { } reasonError)
            {
                // The reason is stored with the job and shown in every list of jobs: bounded and printable.
                return Problem(StatusCodes.Status400BadRequest, "Invalid cancel request", $"reason: the reason {reasonError}");
            }

            var job = await FindAsync(contexts, id, ct);
            if (job is null)
            {
                return NotFound(id);
            }

            // Submitters cancel their own jobs; admins any.
            var actor = PipelineClaims.ActorOf(user);
            if (!PipelineClaims.IsAdmin(user) && job.Spec.SubmittedBy != actor)
            {
                return Problem(StatusCodes.Status403Forbidden, "Not your job", $"job {id} was not submitted by '{actor}'; only its submitter or an admin may cancel it");
            }

            if (JobViewMapper.IsOver(job))
            {
                return Problem(StatusCodes.Status409Conflict, "Job already finished", $"job {id} is {JobViewMapper.StateOf(job)}; nothing to cancel");
            }

            await publish.Publish(new CancelJob { JobId = id, Reason = reason }, ct);
            return TypedResults.Accepted($"/api/jobs/{id}", new CancelAccepted(id, true, reason));
        })
            .RequireAuthorization(PipelinePolicies.Submit)
            .AcceptsOnly(allowEmptyBody: true, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapRedeploy();
        api.MapGc();

        api.MapGet("/events", async (HttpContext http, JobChangeFeed feed, Guid? job, CancellationToken ct) =>
        {
            http.Response.Headers.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no";

            // A comment first so clients see the stream open at once; then one `job` event per change.
            await http.Response.WriteAsync(": connected\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
            try
            {
                await foreach (var summary in feed.SubscribeAsync(ct))
                {
                    if (job is { } only && summary.JobId != only)
                    {
                        continue;
                    }

                    await http.Response.WriteAsync($"event: job\ndata: {JsonSerializer.Serialize(summary, Json)}\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The client went away.
            }
        })
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");

        return app;
    }

    /// <summary>What the jobs API needs besides the orchestrator's own registrations.</summary>
    public static IServiceCollection AddJobsApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<JobChangeFeed>();
        services.TryAddSingleton<JobQueries>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddArtifactStore(configuration);
        return services;
    }

    private static async Task<TrainingJobState?> FindAsync(IDbContextFactory<OrchestratorDbContext> contexts, Guid id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.CorrelationId == id, ct);
    }

    private static ProblemHttpResult NotFound(Guid id) => Problem(StatusCodes.Status404NotFound, "Unknown job", $"no job {id}");

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(detail: detail, statusCode: status, title: title);
}

