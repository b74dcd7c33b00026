namespace Pipeline.Platform.Artifacts;

/// <summary>
/// How long artifacts are kept (docs/RELIABILITY.md, "Artifact lifecycle"), bound from <c>Pipeline:Retention</c>.
/// One section for the orchestrator's job-artifact sweep and Deploy's registry check, so the two agree on the graces.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Pipeline:Retention";

    /// <summary>
    /// A deployed or rejected job (or one failed in deploy, which can still be redeployed) keeps all its objects this
    /// long after it finished, then only what a redeploy and the job page read: <c>prep/</c> and the best round's model.
    /// </summary>
    public TimeSpan FinishedJobGrace { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A cancelled job, or one failed before deploy (never redeployable), keeps everything this long, then nothing.</summary>
    public TimeSpan FailedJobGrace { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Objects with no job (or a registry prefix with no row) younger than this are never deleted, even when orphans
    /// are: a write racing with the check must not lose its files. Orphans are deleted only when asked (<c>--delete-orphans</c>).
    /// </summary>
    public TimeSpan OrphanGrace { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Whether the orchestrator sweeps on its own every <see cref="SweepInterval"/> (the CLI's <c>pipeline gc</c> works either way).</summary>
    public bool Sweep { get; set; } = true;

    /// <summary>Time between two sweeps of one orchestrator; the first runs one interval after start.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The bucket whose <c>{job:N}/</c> prefixes are swept: where Preprocess and the workers write (<c>Pipeline:Preprocess:Bucket</c>).</summary>
    public string JobsBucket { get; set; } = JobArtifactKeys.Bucket;
}
