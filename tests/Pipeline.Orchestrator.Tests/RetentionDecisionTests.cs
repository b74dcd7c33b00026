using Pipeline.Orchestrator.Retention;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Orchestrator.Tests;

/// <summary>Issue #18, item 5: which of a job's objects the retention policy deletes, as a pure function.</summary>
public sealed class RetentionDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("0b6f1c8e-3d52-4d0a-9a53-1f2e3d4c5b6a");
    private static readonly RetentionOptions Options = new() { FinishedJobGrace = TimeSpan.FromDays(1), FailedJobGrace = TimeSpan.FromDays(7), OrphanGrace = TimeSpan.FromDays(1) };

    /// <summary>A two-round, two-shard job as Preprocess and training leave it; round 1 is the best.</summary>
    private static readonly IReadOnlyList<ArtifactInfo> Objects =
    [
        Obj(JobArtifactKeys.Prep(Id, "shard-0000.bin")),
        Obj(JobArtifactKeys.Prep(Id, "shard-0001.bin")),
        Obj(JobArtifactKeys.Prep(Id, "validation.bin")),
        Obj(JobArtifactKeys.Prep(Id, "test.bin")),
        Obj(JobArtifactKeys.Prep(Id, "transform.json")),
        Obj(JobArtifactKeys.Prep(Id, "profile.json")),
        .. new[] { 1, 2 }.SelectMany(r => new[]
        {
            Obj(JobArtifactKeys.ShardModel(Id, r, 0)), Obj(JobArtifactKeys.ShardModel(Id, r, 1)),
            Obj(JobArtifactKeys.ShardOptimizer(Id, r, 0)), Obj(JobArtifactKeys.ShardOptimizer(Id, r, 1)),
            Obj(JobArtifactKeys.MergedOptimizer(Id, r)), Obj(JobArtifactKeys.MergedModel(Id, r)),
        }),
    ];

    private static readonly string BestModel = JobArtifactKeys.MergedModel(Id, 1);

    [Theory]
    [InlineData("Deployed", null)]
    [InlineData("Rejected", null)]
    [InlineData("Failed", "deploy")]
    public void A_redeployable_job_past_its_grace_keeps_its_prepared_data_and_best_model_and_loses_every_other_round_output(string state, string? failedStage)
    {
        var decisions = Decide(new JobRetentionView(Id, state, true, Now.AddDays(-2), failedStage, BestModel));

        var kept = decisions.Where(d => !d.Delete).Select(d => d.Key).ToHashSet();
        Assert.Equal(Objects.Where(o => o.Key.Contains("/prep/", StringComparison.Ordinal)).Select(o => o.Key).Append(BestModel).ToHashSet(), kept);
        Assert.Equal(11, decisions.Count(d => d.Delete));
        Assert.All(decisions.Where(d => d.Delete), d => Assert.Contains("/rounds/", d.Key, StringComparison.Ordinal));
        Assert.Contains(decisions, d => d.Key == JobArtifactKeys.MergedModel(Id, 2) && d.Delete);
        Assert.Contains(decisions, d => d.Key == JobArtifactKeys.ShardModel(Id, 1, 0) && d.Delete);
    }

    [Fact]
    public void A_finished_job_within_its_grace_keeps_everything()
    {
        Assert.All(Decide(new JobRetentionView(Id, "Deployed", true, Now.AddHours(-23), null, BestModel)), d => Assert.False(d.Delete));
        Assert.All(Decide(new JobRetentionView(Id, "Cancelled", true, Now.AddDays(-6), null, BestModel)), d => Assert.False(d.Delete));
    }

    [Theory]
    [InlineData("Cancelled", null)]
    [InlineData("Failed", "train")]
    [InlineData("Failed", "preprocess")]
    public void A_cancelled_job_or_one_failed_before_deploy_loses_everything_past_the_failed_grace(string state, string? failedStage)
    {
        var decisions = Decide(new JobRetentionView(Id, state, true, Now.AddDays(-7).AddMinutes(-1), failedStage, BestModel));
        Assert.Equal(Objects.Count, decisions.Count(d => d.Delete));
    }

    [Theory]
    [InlineData("Training")]
    [InlineData("Deploying")]
    [InlineData("Preprocessing")]
    public void A_running_job_is_never_touched_however_old(string state)
    {
        Assert.All(Decide(new JobRetentionView(Id, state, false, Now.AddDays(-365), null, BestModel)), d => Assert.False(d.Delete));
    }

    [Fact]
    public void Objects_with_no_job_are_reported_and_deleted_only_when_asked_and_older_than_the_orphan_grace()
    {
        Assert.All(RetentionDecision.Decide(null, Objects, Options, Now, deleteOrphans: false), d =>
        {
            Assert.False(d.Delete);
            Assert.Contains("orphan", d.Reason, StringComparison.Ordinal);
        });
        Assert.All(RetentionDecision.Decide(null, Objects, Options, Now, deleteOrphans: true), d => Assert.True(d.Delete));

        var fresh = new[] { Obj(JobArtifactKeys.MergedModel(Id, 1)) with { LastModified = Now.AddHours(-1) } };
        Assert.False(RetentionDecision.Decide(null, fresh, Options, Now, deleteOrphans: true).Single().Delete);
    }

    [Fact]
    public void Sizes_are_carried_so_a_dry_run_reports_them()
    {
        var decisions = Decide(new JobRetentionView(Id, "Deployed", true, Now.AddDays(-2), null, BestModel));
        Assert.Equal(11 * 1000, decisions.Where(d => d.Delete).Sum(d => d.Size));
    }

    [Theory]
    [InlineData("0b6f1c8e3d524d0a9a531f2e3d4c5b6a/prep/test.bin", true)]
    [InlineData("0b6f1c8e3d524d0a9a531f2e3d4c5b6a/", true)]
    [InlineData("0b6f1c8e-3d52-4d0a-9a53-1f2e3d4c5b6a/prep/test.bin", false)]
    [InlineData("notes/readme.txt", false)]
    [InlineData("0b6f1c8e3d524d0a9a531f2e3d4c5b6a", false)]
    public void Only_keys_under_a_job_prefix_belong_to_a_job(string key, bool isJob)
    {
        Assert.Equal(isJob, ArtifactSweeper.JobIdOf(key) == Id);
    }

    private static IReadOnlyList<ObjectDecision> Decide(JobRetentionView job) => RetentionDecision.Decide(job, Objects, Options, Now, deleteOrphans: false);

    private static ArtifactInfo Obj(string key) => new(JobArtifactKeys.Bucket, key, 1000, Now.AddDays(-30), null, new Dictionary<string, string>());
}
