using Pipeline.Contracts;
using Pipeline.Platform.Messaging;

namespace Pipeline.Orchestrator.Tests;

/// <summary>
/// No job is left running: a command that faults after its redeliveries fails the job with the reason (or sends a
/// shard again at once), and a state that outlives its deadline fails the job naming the setting.
/// </summary>
public sealed class FaultAndDeadlineTests
{
    [Fact]
    public async Task A_preprocess_command_that_faults_fails_the_job_with_the_stage_and_the_error()
    {
        await using var h = await JobHarness.StartAsync(services: x => FailingService<PreprocessDataset>.On(x, CommandQueues.PreprocessDataset));
        // The command may fault before a poll sees Preprocessing: do not wait for it.
        await h.DriveToPreprocessing(waitForPreprocessing: false);

        var job = await h.InState(m => m.Failed);
        Assert.Equal("preprocess", job.FailedStage);
        Assert.StartsWith($"IOException: {FailingService<PreprocessDataset>.Error}", job.FailureReason, StringComparison.Ordinal);
        Assert.True(await h.Harness.Published.Any<JobFailed>(x => x.Context.Message.JobId == h.JobId && x.Context.Message.Stage == "preprocess"));
        Assert.Null(job.DeadlineToken);
    }

    [Fact]
    public async Task A_shard_whose_message_faulted_is_sent_again_at_once_and_the_attempt_limit_still_holds()
    {
        // The round timeout is far away: only the fault can explain a resend within the test.
        await using var h = await JobHarness.StartAsync(roundTimeout: TimeSpan.FromHours(1), maxAttempts: 2,
            services: x => FailingService<TrainShard>.On(x, CommandQueues.TrainShard, t => t.Shard == 1));

        // Both sends may fault before a poll sees Training: do not wait for it.
        await h.DriveToTraining(shards: 2, waitForTraining: false);

        Assert.True(await h.Harness.Sent.Any<TrainShard>(x => x.Context.Message is { Shard: 1, Attempt: 2 }));
        Assert.DoesNotContain(h.SentOf<TrainShard>(), t => t.Shard == 0 && t.Attempt > 1);

        // The second send faults too: two attempts are the limit, so the job fails with the error.
        var job = await h.InState(m => m.Failed);
        Assert.Equal("train", job.FailedStage);
        Assert.StartsWith("shard 1 of round 1 failed 2 times; last error: IOException: object store unreachable", job.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fault_of_an_older_send_of_a_shard_does_not_count_against_the_send_in_flight()
    {
        // The round timeout is far away: a slow machine must not let it fail the job before the shard reports.
        await using var h = await JobHarness.StartAsync(roundTimeout: TimeSpan.FromHours(1), maxAttempts: 2,
            services: x => FailingService<TrainShard>.On(x, CommandQueues.TrainShard, t => t is { Shard: 0, Attempt: 1 }));
        await h.DriveToTraining(shards: 1);

        // Attempt 1 faults; its resend (attempt 2) is the latest and succeeds here, so the round goes on.
        Assert.True(await h.Harness.Sent.Any<TrainShard>(x => x.Context.Message is { Shard: 0, Attempt: 2 }));
        await h.Publish(h.Trained(1, 0));
        await h.InState(m => m.Merging);
    }

    [Fact]
    public async Task A_deploy_command_that_faults_fails_the_job_in_the_deploy_stage()
    {
        await using var h = await JobHarness.StartAsync(services: x => FailingService<DeployModel>.On(x, CommandQueues.DeployModel));
        await h.DriveToDeploying(waitForDeploying: false);

        var job = await h.InState(m => m.Failed);
        Assert.Equal("deploy", job.FailedStage);
        Assert.Contains("object store unreachable", job.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_left_preprocessing_past_its_deadline_fails_naming_the_setting()
    {
        await using var h = await JobHarness.StartAsync(options: o => o.PreprocessingDeadline = TimeSpan.FromMilliseconds(300));
        await h.DriveToPreprocessing(waitForPreprocessing: false);

        var job = await h.InState(m => m.Failed);
        Assert.Equal("preprocess", job.FailedStage);
        Assert.Equal("stage preprocess passed its deadline of 0.3 s (setting Pipeline:Orchestrator:PreprocessingDeadline)", job.FailureReason);
    }

    [Fact]
    public async Task Each_state_gets_its_own_deadline_and_a_finished_job_none()
    {
        await using var h = await JobHarness.StartAsync(options: o =>
        {
            o.ValidatingDeadline = TimeSpan.FromHours(1);
            o.DeployingDeadline = TimeSpan.FromMilliseconds(300);
        });
        await h.Submit(h.Spec());
        var validating = await h.InState(m => m.Validating);
        Assert.NotNull(validating.DeadlineToken);

        // Validating's hour-long deadline is replaced at each state, up to Deploying's, which then passes.
        await h.Publish(new DatasetAccepted { JobId = h.JobId, DatasetId = "d", Dataset = JobHarness.Ref("d"), Columns = ["price"], Rows = 1, ResolvedSpec = h.Spec(shards: 1, rounds: 1) });
        await h.InState(m => m.Preprocessing);
        await h.Publish(new DatasetPreprocessed
        {
            JobId = h.JobId,
            Shards = [new ShardInfo(0, JobHarness.Ref("s0"), 10)],
            Validation = JobHarness.Ref("v"),
            Test = JobHarness.Ref("t"),
            Transform = JobHarness.Ref("tr"),
            Profile = JobHarness.Ref("p"),
            Features = 1,
            Outputs = 1,
            Task = TaskKind.Regression,
        });
        await h.InState(m => m.Training);
        await h.Publish(h.Trained(1, 0));
        await h.InState(m => m.Merging);
        await h.Publish(h.Merged(1, 0.3));

        var job = await h.InState(m => m.Failed);
        Assert.Equal("stage deploy passed its deadline of 0.3 s (setting Pipeline:Orchestrator:DeployingDeadline)", job.FailureReason);
    }
}
