using MassTransit.Testing;
using Pipeline.Contracts;

namespace Pipeline.Orchestrator.Tests;

/// <summary>
/// A command lost between the saga's save and its send (the broker gone in between) is sent again when the message
/// that caused it is retried, in every state; without that the job waited for its state's deadline (30 min in Merging,
/// seen when a RabbitMQ restart caught a job there). Each test runs the saga endpoint as production does.
/// </summary>
public sealed class LostCommandTests
{
    [Fact]
    public async Task A_merge_command_lost_after_the_job_entered_Merging_is_sent_again()
    {
        var lost = new LostSends((typeof(MergeRound), 2));
        await using var h = await JobHarness.StartAsync(lostSends: lost);
        await h.DriveToTraining(shards: 2);

        await h.Publish(h.Trained(1, 0));
        await h.Publish(h.Trained(1, 1));

        Assert.True(await Delivered<MergeRound>(h), "the merge command was never sent after its first sends were lost");
        Assert.Equal(2, lost.LostOf<MergeRound>());
        Assert.Equal([0, 1], Assert.Single(Successful<MergeRound>(h)).Results.Select(r => r.Shard));
        await h.InState(m => m.Merging);
    }

    [Fact]
    public async Task A_plain_duplicate_of_the_last_shard_result_does_not_merge_twice()
    {
        await using var h = await JobHarness.StartAsync(lostSends: new LostSends());
        await h.DriveToTraining(shards: 1);
        await h.Publish(h.Trained(1, 0));
        await h.InState(m => m.Merging);

        await h.Publish(h.Trained(1, 0));
        Assert.True(await h.Harness.Consumed.Any<ShardTrained>(_ => h.Harness.Consumed.Select<ShardTrained>().Count() == 2));
        Assert.Single(Successful<MergeRound>(h));
    }

    [Fact]
    public async Task Lost_shard_commands_are_sent_again_as_the_same_attempt()
    {
        // The round timeout is far away: only the retried trigger can explain the sends.
        var lost = new LostSends((typeof(TrainShard), 3));
        await using var h = await JobHarness.StartAsync(roundTimeout: TimeSpan.FromHours(1), maxAttempts: 2, lostSends: lost);
        await h.DriveToTraining(shards: 2, waitForTraining: false);

        Assert.True(await h.Harness.Consumed.Any<TrainShard>(x => x.Context.Message.Shard == 0), "shard 0 was never sent");
        Assert.True(await h.Harness.Consumed.Any<TrainShard>(x => x.Context.Message.Shard == 1), "shard 1 was never sent");
        Assert.All(Successful<TrainShard>(h), t => Assert.Equal(1, t.Attempt));

        // Three lost sends used up no attempt: both shards report and the round merges.
        await h.Publish(h.Trained(1, 0));
        await h.Publish(h.Trained(1, 1));
        await h.InState(m => m.Merging);
    }

    [Fact]
    public async Task A_validate_command_lost_after_the_job_entered_Validating_is_sent_again()
    {
        var lost = new LostSends((typeof(ValidateDataset), 1));
        await using var h = await JobHarness.StartAsync(lostSends: lost);
        await h.Submit(h.Spec());

        Assert.True(await Delivered<ValidateDataset>(h), "the validate command was never sent after its first send was lost");
        Assert.Equal(1, lost.LostOf<ValidateDataset>());
        await h.InState(m => m.Validating);
    }

    [Fact]
    public async Task A_preprocess_command_lost_after_the_job_entered_Preprocessing_is_sent_again()
    {
        var lost = new LostSends((typeof(PreprocessDataset), 1));
        await using var h = await JobHarness.StartAsync(lostSends: lost);
        await h.DriveToPreprocessing();

        Assert.True(await Delivered<PreprocessDataset>(h), "the preprocess command was never sent after its first send was lost");
        Assert.Equal(1, lost.LostOf<PreprocessDataset>());
    }

    [Fact]
    public async Task A_deploy_command_lost_after_the_job_entered_Deploying_is_sent_again()
    {
        var lost = new LostSends((typeof(DeployModel), 1));
        await using var h = await JobHarness.StartAsync(lostSends: lost);
        await h.DriveToDeploying();

        Assert.True(await Delivered<DeployModel>(h), "the deploy command was never sent after its first send was lost");
        Assert.Equal(1, lost.LostOf<DeployModel>());
    }

    private static Task<bool> Delivered<T>(JobHarness h)
        where T : class => h.Harness.Consumed.Any<T>();

    private static List<T> Successful<T>(JobHarness h)
        where T : class => [.. h.Harness.Consumed.Select<T>().Select(m => m.Context.Message)];
}
