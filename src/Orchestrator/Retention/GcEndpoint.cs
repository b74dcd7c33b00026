using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Pipeline.Platform.Security;

namespace Pipeline.Orchestrator.Retention;

/// <summary>
/// <c>POST /api/gc[?dryRun=true][&amp;deleteOrphans=true]</c> (admin): one sweep of the jobs bucket now, the same as
/// the periodic one, answering what it deleted (or would delete) per job with sizes, and the orphans it found.
/// </summary>
public static class GcEndpoint
{
    public static RouteGroupBuilder MapGc(this RouteGroupBuilder api)
    {
        api.MapPost("/gc", async Task<Ok<ArtifactGcReport>> (ArtifactSweeper sweeper, bool? dryRun, bool? deleteOrphans, CancellationToken ct) =>
            TypedResults.Ok(await sweeper.SweepAsync(dryRun ?? false, deleteOrphans ?? false, ct)))
            .RequireAuthorization(PipelinePolicies.Admin)
            .AcceptsOnly(allowEmptyBody: true, "application/json");
        return api;
    }
}
