using Pipeline.Contracts;

namespace Pipeline.Orchestrator.Tests;

/// <summary>A finished job's stored best model can be deployed again, without retraining.</summary>
public sealed class RedeployTests
{
    [Fact]
    public async Task A_job_that_failed_in_deploy_is_redeployed_from_its_best_model_and_completes()
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToDeploying();
        await h.Publish(new DeploymentFailed { JobId = h.JobId, Reason = "store unreachable" });
        await h.InState(m => m.Failed);

        await h.Publish(new RedeployJob { JobId = h.JobId, RequestedBy = "admin" });
        var deploying = await h.InState(m => m.Deploying);
        Assert.Null(deploying.FailureReason);
        Assert.Null(deploying.FinishedAt);
        Assert.True(await h.Harness.Sent.Any<DeployModel>(x => h.Harness.Sent.Select<DeployModel>().Count() == 2));
        var (first, again) = (h.SentOf<DeployModel>()[0], h.SentOf<DeployModel>()[1]);
        Assert.Equal((first.Model, first.Transform, first.Test, first.BestRound, first.ModelName, first.ValidationSplit), (again.Model, again.Transform, again.Test, again.BestRound, again.ModelName, again.ValidationSplit));
        Assert.Equal(first.TrainingShards, again.TrainingShards);
        Assert.Single(h.SentOf<TrainShard>()); // nothing retrained

        await h.Publish(new ModelDeployed { JobId = h.JobId, ModelName = "house-prices", Version = 1, Test = new ModelMetrics { Mse = 0.3 } });
        Assert.Equal(1, (await h.InState(m => m.Completed)).DeployedVersion);
    }

    [Fact]
    public async Task A_rejected_job_can_be_forced_through_on_redeploy()
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToDeploying();
        await h.Publish(new DeploymentRejected { JobId = h.JobId, ModelName = "house-prices", Version = 1, Reason = "not worth serving" });
        await h.InState(m => m.GateRejected);

        await h.Publish(new RedeployJob { JobId = h.JobId, RequestedBy = "admin", ForceDeploy = true });
        await h.InState(m => m.Deploying);
        Assert.True(await h.Harness.Sent.Any<DeployModel>(x => x.Context.Message.ForceDeploy));
    }

    [Fact]
    public async Task A_job_that_failed_before_training_ended_is_not_redeployed()
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToTraining(shards: 1);
        await h.Publish(new ShardTrainingFailed { JobId = h.JobId, Round = 1, Shard = 0, Reason = "diverged", Worker = "w" });
        await h.Publish(new ShardTrainingFailed { JobId = h.JobId, Round = 1, Shard = 0, Reason = "diverged", Worker = "w" });
        await h.Publish(new ShardTrainingFailed { JobId = h.JobId, Round = 1, Shard = 0, Reason = "diverged", Worker = "w" });
        await h.InState(m => m.Failed);

        await h.Publish(new RedeployJob { JobId = h.JobId, RequestedBy = "admin" });
        Assert.True(await h.Harness.Consumed.Any<RedeployJob>());
        Assert.Empty(h.SentOf<DeployModel>());
        Assert.Equal(h.Machine.Failed.Name, h.Saga.Sagas.Contains(h.JobId)!.CurrentState);
    }
}
