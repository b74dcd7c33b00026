using System.Security.Claims;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Pipeline.Platform.Hosting;
using Pipeline.Contracts;
using Pipeline.Orchestrator.StateMachines;
using Pipeline.Platform.Security;
using Pipeline.Contracts.Api;

namespace Pipeline.Orchestrator.Api;

/// <summary>
/// <c>POST /api/jobs/{id}/redeploy</c> (admin): deploys a finished job's stored best model again, without
/// retraining. Body: none, or JSON <c>{"force": true}</c> to deploy a model the gate found not worth serving.
/// </summary>
public static class RedeployEndpoint
{
    public static RouteGroupBuilder MapRedeploy(this RouteGroupBuilder api)
    {
        api.MapPost("/jobs/{id:guid}/redeploy", async Task<Results<Accepted<RedeployAccepted>, ProblemHttpResult>> (Guid id, HttpRequest request, ClaimsPrincipal user, IDbContextFactory<OrchestratorDbContext> contexts, IPublishEndpoint publish, CancellationToken ct) =>
        {
            RedeployRequest body;
            try
            {
                body = request.ContentLength is 0 || !request.HasJsonContentType()
                    ? new RedeployRequest()
                    : await request.ReadFromJsonAsync<RedeployRequest>(JobsApi.Json, ct) ?? new RedeployRequest();
            }
            catch (JsonException ex)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid redeploy request", $"the body is not the expected JSON ({{\"force\": true|false}}): {ex.Message}");
            }

            await using var db = await contexts.CreateDbContextAsync(ct);
            var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.CorrelationId == id, ct);
            if (job is null)
            {
                return Problem(StatusCodes.Status404NotFound, "Unknown job", $"no job {id}");
            }

            if (Redeployment.WhyNot(job) is { } refusal)
            {
                return Problem(StatusCodes.Status409Conflict, "Job cannot be redeployed", refusal);
            }

            await publish.Publish(new RedeployJob { JobId = id, RequestedBy = PipelineClaims.ActorOf(user), ForceDeploy = body.Force }, ct);
            return TypedResults.Accepted($"/api/jobs/{id}", new RedeployAccepted(id, job.ModelName, body.Force));
        })
            .RequireAuthorization(PipelinePolicies.Admin)
            .AcceptsOnly(allowEmptyBody: true, "application/json")
            .WithRequestExample("""{"force": false}""")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(detail: detail, statusCode: status, title: title);
}

