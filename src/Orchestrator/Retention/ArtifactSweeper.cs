using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Orchestrator.Api;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Orchestrator.Retention;

/// <summary>
/// Applies <see cref="RetentionDecision"/> to the jobs bucket: lists it, groups the objects by job prefix, reads those
/// jobs' states, and deletes what the decision lets go (unless a dry run). The bucket is listed before the jobs are
/// read, so an object whose job has just been created is never taken for an orphan. Safe to run on several
/// orchestrators at once: a delete of an absent object is not an error, and a running job is never touched.
/// </summary>
public sealed partial class ArtifactSweeper(IArtifactStore store, JobQueries jobs, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<ArtifactSweeper> logger)
{
    /// <summary>One pass over the jobs bucket; <paramref name="dryRun"/> deletes nothing and reports the same.</summary>
    public async Task<ArtifactGcReport> SweepAsync(bool dryRun, bool deleteOrphans, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        var byJob = new Dictionary<Guid, List<ArtifactInfo>>();
        var foreign = new List<ArtifactInfo>();
        await foreach (var item in store.ListAsync(o.JobsBucket, "", cancellationToken))
        {
            if (JobIdOf(item.Key) is { } id)
            {
                (byJob.TryGetValue(id, out var list) ? list : byJob[id] = []).Add(item);
            }
            else
            {
                foreign.Add(item);
            }
        }

        var views = await jobs.RetentionViewsAsync(byJob.Keys, cancellationToken);
        var now = clock.GetUtcNow();
        var reports = new List<JobGcEntry>();
        foreach (var (id, objects) in byJob.OrderBy(x => x.Key))
        {
            var view = views.GetValueOrDefault(id);
            var decisions = RetentionDecision.Decide(view, objects, o, now, deleteOrphans);
            if (!dryRun)
            {
                foreach (var d in decisions.Where(d => d.Delete))
                {
                    await store.DeleteAsync(o.JobsBucket, d.Key, cancellationToken);
                }
            }

            reports.Add(JobGcEntry.Of(id, view?.State, decisions));
        }

        var report = ArtifactGcReport.Of(o.JobsBucket, dryRun, reports, foreign);
        if (report.DeletedObjects > 0 || report.OrphanObjects > 0)
        {
            LogSwept(logger, dryRun ? "would delete" : "deleted", report.DeletedObjects, report.DeletedBytes, report.JobsBucket, report.OrphanObjects);
        }

        return report;
    }

    /// <summary>The job a key belongs to: its first segment as a job id in the <c>N</c> format of <see cref="JobArtifactKeys.Job"/>.</summary>
    internal static Guid? JobIdOf(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash == 32 && Guid.TryParseExact(key.AsSpan(0, slash), "N", out var id) ? id : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Artifact sweep {Verb} {Objects} objects ({Bytes} bytes) in bucket {Bucket}; {Orphans} objects have no job")]
    private static partial void LogSwept(ILogger logger, string verb, int objects, long bytes, string bucket, int orphans);
}
