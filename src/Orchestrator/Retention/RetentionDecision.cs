using Pipeline.Platform.Artifacts;

namespace Pipeline.Orchestrator.Retention;

/// <summary>What happens to one object of the jobs bucket, and why (the reason is shown by <c>pipeline gc</c>).</summary>
public sealed record ObjectDecision(string Key, long Size, bool Delete, string Reason);

/// <summary>
/// The retention policy as a pure function: which of a job's objects go, given the job as the saga knows it (or
/// null: no such job) and the clock. Kept, whatever the age:
/// <list type="bullet">
/// <item>everything of a running job;</item>
/// <item>of a redeployable job (deployed, rejected, failed in deploy): <c>prep/</c> (shards, splits, transform and
/// profile: a redeploy sends them to Deploy and the job page shows the profile) and the best round's merged model;</item>
/// <item>everything of any finished job within its grace (<see cref="RetentionOptions.FinishedJobGrace"/>,
/// <see cref="RetentionOptions.FailedJobGrace"/>);</item>
/// <item>objects with no job, unless orphans are to be deleted and they are older than <see cref="RetentionOptions.OrphanGrace"/>.</item>
/// </list>
/// Served versions never depend on the jobs bucket: Deploy copies the model and transform into the registry bucket.
/// </summary>
public static class RetentionDecision
{
    public static IReadOnlyList<ObjectDecision> Decide(JobRetentionView? job, IReadOnlyList<ArtifactInfo> objects, RetentionOptions options, DateTimeOffset now, bool deleteOrphans)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(options);
        return [.. objects.Select(o => Decide(job, o, options, now, deleteOrphans))];
    }

    private static ObjectDecision Decide(JobRetentionView? job, ArtifactInfo o, RetentionOptions options, DateTimeOffset now, bool deleteOrphans)
    {
        if (job is null)
        {
            var old = now - o.LastModified >= options.OrphanGrace;
            return (deleteOrphans, old) switch
            {
                (true, true) => Delete(o, "orphan: no job has this id"),
                (true, false) => Keep(o, "orphan, but younger than Pipeline:Retention:OrphanGrace"),
                _ => Keep(o, "orphan: no job has this id (delete with --delete-orphans)"),
            };
        }

        if (!job.Finished)
        {
            return Keep(o, $"job is {job.State}");
        }

        var grace = job.Redeployable ? options.FinishedJobGrace : options.FailedJobGrace;
        if (now - job.FinishedAt < grace)
        {
            return Keep(o, $"job {job.State} less than {(job.Redeployable ? "FinishedJobGrace" : "FailedJobGrace")} ago");
        }

        if (!job.Redeployable)
        {
            return Delete(o, $"job {job.State}{(job.FailedStage is { } stage ? $" in {stage}" : "")}, past FailedJobGrace");
        }

        var relative = o.Key.StartsWith(JobArtifactKeys.Job(job.JobId), StringComparison.Ordinal) ? o.Key[JobArtifactKeys.Job(job.JobId).Length..] : o.Key;
        if (o.Key == job.BestModelKey)
        {
            return Keep(o, "best model: a redeploy sends it");
        }

        if (relative.StartsWith("prep/", StringComparison.Ordinal))
        {
            return Keep(o, "prepared data: a redeploy and the job page read it");
        }

        // Round outputs other than the best model: shard models, optimizer states, other rounds' merged models.
        return relative.StartsWith("rounds/", StringComparison.Ordinal)
            ? Delete(o, $"round output of a {job.State} job past FinishedJobGrace")
            : Keep(o, "not a round output");
    }

    private static ObjectDecision Keep(ArtifactInfo o, string reason) => new(o.Key, o.Size, false, reason);

    private static ObjectDecision Delete(ArtifactInfo o, string reason) => new(o.Key, o.Size, true, reason);
}
