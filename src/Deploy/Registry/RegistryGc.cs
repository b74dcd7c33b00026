using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Security;

namespace Pipeline.Deploy.Registry;

/// <summary>
/// Runs <see cref="RegistryCheck"/> against the registry bucket and deletes the orphan prefixes it lets go. The
/// bucket is listed before the rows are read, so files of a version registered meanwhile are never orphans.
/// </summary>
public sealed class RegistryGc(IArtifactStore store, ModelRegistry registry, IOptions<DeployOptions> deploy, IOptions<RetentionOptions> retention, TimeProvider clock)
{
    public async Task<RegistryGcReport> RunAsync(bool dryRun, bool deleteOrphans, CancellationToken cancellationToken = default)
    {
        var bucket = deploy.Value.Bucket;
        var objects = new List<ArtifactInfo>();
        await foreach (var item in store.ListAsync(bucket, "", cancellationToken))
        {
            objects.Add(item);
        }

        var rows = await registry.ListAsync(null, cancellationToken);
        var report = RegistryCheck.Find(bucket, rows, objects, retention.Value, clock.GetUtcNow(), dryRun, deleteOrphans);
        if (!dryRun)
        {
            foreach (var key in report.Orphans.Where(o => o.Delete).SelectMany(o => o.Keys))
            {
                await store.DeleteAsync(bucket, key, cancellationToken);
            }
        }

        return report;
    }
}

/// <summary><c>POST /api/registry/gc[?dryRun=true][&amp;deleteOrphans=true]</c> (admin): the registry's consistency check.</summary>
public static class RegistryGcEndpoint
{
    public static IEndpointRouteBuilder MapRegistryGc(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/registry/gc", async Task<Ok<RegistryGcReport>> (RegistryGc gc, bool? dryRun, bool? deleteOrphans, CancellationToken ct) =>
            TypedResults.Ok(await gc.RunAsync(dryRun ?? false, deleteOrphans ?? false, ct)))
            .RequireAuthorization(PipelinePolicies.Admin)
            .AcceptsOnly(allowEmptyBody: true, "application/json");
        return app;
    }
}
