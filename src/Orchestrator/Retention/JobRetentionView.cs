namespace Pipeline.Orchestrator.Retention;

/// <summary>
/// What the retention decision needs to know of a job: whether and how it ended, when, and the object keys (in the
/// jobs bucket) of the best model a redeploy sends to Deploy. Read by <see cref="Api.JobQueries.RetentionViewsAsync"/>.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="State">The word users see: Deployed, Rejected, Failed, Cancelled, or a running state.</param>
/// <param name="Finished">Whether the job has reached an outcome; a running job is never touched.</param>
/// <param name="FinishedAt">When it reached its outcome (the last update when the saga did not record it).</param>
/// <param name="FailedStage">The stage a failed job failed in (a job failed in deploy can be redeployed).</param>
/// <param name="BestModelKey">The key of the best round's merged model in the jobs bucket, when the job has one.</param>
public sealed record JobRetentionView(Guid JobId, string State, bool Finished, DateTimeOffset FinishedAt, string? FailedStage, string? BestModelKey)
{
    /// <summary>Deployed, rejected, or failed in deploy: <c>pipeline redeploy</c> may deploy it again from its stored best model.</summary>
    public bool Redeployable => Finished && (State is "Deployed" or "Rejected" || (State == "Failed" && FailedStage == "deploy"));
}
