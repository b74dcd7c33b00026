using Pipeline.Contracts;
using Pipeline.Orchestrator.Api;

namespace Pipeline.Orchestrator.Tests;

/// <summary>Every transition of the TrainingJob saga, on the in-memory harness.</summary>
public sealed class TrainingJobStateMachineTests
{
    [Fact]
    public async Task A_submitted_job_asks_ingest_to_validate_and_is_named_after_the_file()
    {
        await using var h = await JobHarness.StartAsync();
        await h.Submit(h.Spec());

        var job = await h.InState(m => m.Validating);
        Assert.Equal("house-prices", job.ModelName);
        var validate = Assert.Single(h.SentOf<ValidateDataset>());
        Assert.Equal(h.JobId, validate.JobId);
        Assert.Equal("uploads/House Prices.csv", validate.Source.Key);
    }

    [Fact]
    public async Task A_duplicate_submission_starts_nothing_twice()
    {
        await using var h = await JobHarness.StartAsync();
        await h.Submit(h.Spec());
        await h.InState(m => m.Validating);
        await h.Submit(h.Spec());

        Assert.True(await h.Harness.Consumed.Any<JobSubmitted>(x => h.Harness.Consumed.Select<JobSubmitted>().Count() == 2));
        Assert.Single(h.SentOf<ValidateDataset>());
    }

    [Fact]
    public async Task A_rejected_dataset_fails_the_job_with_the_reason()
    {
        await using var h = await JobHarness.StartAsync();
        await h.Submit(h.Spec());
        await h.InState(m => m.Validating);
        await h.Publish(new DatasetRejected { JobId = h.JobId, Source = JobHarness.Ref("ingest/x.csv"), Reason = "x.csv line 3: 4 fields, header has 5" });

        var job = await h.InState(m => m.Failed);
        Assert.Equal("ingest", job.FailedStage);
        Assert.Equal("x.csv line 3: 4 fields, header has 5", job.FailureReason);
        Assert.True(await h.Harness.Published.Any<JobFailed>(x => x.Context.Message.Reason == job.FailureReason));
    }

    [Fact]
    public async Task Preprocessing_failure_fails_the_job()
    {
        await using var h = await JobHarness.StartAsync();
        await h.Submit(h.Spec());
        await h.InState(m => m.Validating);
        await h.Publish(new DatasetAccepted { JobId = h.JobId, DatasetId = "d", Dataset = JobHarness.Ref("d"), Columns = ["price"], Rows = 1, ResolvedSpec = h.Spec() });
        await h.InState(m => m.Preprocessing);
        Assert.Single(h.SentOf<PreprocessDataset>());
        await h.Publish(new PreprocessingFailed { JobId = h.JobId, Reason = "no rows left after dropping missing targets" });

        var job = await h.InState(m => m.Failed);
        Assert.Equal("preprocess", job.FailedStage);
    }

    [Fact]
    public async Task Round_one_sends_one_TrainShard_per_shard_from_the_seed()
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToTraining(shards: 4);

        var sent = h.SentOf<TrainShard>();
        Assert.Equal([0, 1, 2, 3], sent.Select(s => s.Shard).Order());
        Assert.All(sent, s =>
        {
            Assert.Equal(1, s.Round);
            Assert.Null(s.GlobalModel);
            Assert.Equal(1, s.Attempt);
            Assert.Equal(5, s.Features);
        });
    }

    [Fact]
    public async Task Results_are_counted_once_and_merged_in_shard_order_whatever_the_arrival_order()
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToTraining(shards: 3);

        await h.Publish(h.Trained(1, 2));
        await h.Publish(h.Trained(1, 2)); // redelivered
        await h.Publish(h.Trained(1, 0));
        await h.Publish(h.Trained(1, 0)); // duplicate
        Assert.True(await h.Harness.Consumed.Any<ShardTrained>(x => h.Harness.Consumed.Select<ShardTrained>().Count() == 4));
        Assert.Equal(2, h.Saga.Sagas.Contains(h.JobId)!.RoundResults.Count);
        await h.Publish(h.Trained(1, 1));

        await h.InState(m => m.Merging);
        var merge = Assert.Single(h.SentOf<MergeRound>());
        Assert.Equal([0, 1, 2], merge.Results.Select(r => r.Shard));
    }

    /// <summary>The merger's server optimizer steps from the model the round started from, with the job's settings.</summary>
    [Fact]
    public async Task A_merge_names_the_model_its_round_started_from_and_the_jobs_settings()
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToTraining(shards: 2);
        await h.Publish(h.Trained(1, 0));
        await h.Publish(h.Trained(1, 1));
        await h.InState(m => m.Merging);
        var round1 = h.Merged(1, 0.5);
        await h.Publish(round1);
        await h.InState(m => m.Training);
        await h.Publish(h.Trained(2, 0));
        await h.Publish(h.Trained(2, 1));
        await h.InState(m => m.Merging);

        var merges = h.SentOf<MergeRound>();
        Assert.Equal(2, merges.Count);
        Assert.Null(merges[0].GlobalModel); // round 1 starts from the seeded initial model
        Assert.Equal(round1.Model, merges[1].GlobalModel);
        var training = h.Saga.Sagas.Contains(h.JobId)!.Spec.Training;
        Assert.NotNull(merges[1].Settings);
        Assert.Equal((training.Merge, training.ServerLearningRate, training.ServerMomentum, training.Seed),
            (merges[1].Settings!.Merge, merges[1].Settings!.ServerLearningRate, merges[1].Settings!.ServerMomentum, merges[1].Settings!.Seed));
    }

    [Fact]
    public async Task A_result_of_a_stale_round_is_ignored()
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToTraining(shards: 2);
        await h.Publish(h.Trained(1, 0));
        await h.Publish(h.Trained(1, 1));
        await h.InState(m => m.Merging);
        await h.Publish(h.Merged(1, 0.5));
        await h.InState(m => m.Training);

        await h.Publish(h.Trained(1, 0)); // late duplicate from round 1
        Assert.True(await h.Harness.Consumed.Any<ShardTrained>(x => h.Harness.Consumed.Select<ShardTrained>().Count() == 3));
        var job = h.Saga.Sagas.Contains(h.JobId)!;
        Assert.Equal(2, job.Round);
        Assert.Empty(job.RoundResults);
    }

    [Fact]
    public async Task Each_round_starts_from_the_previous_merge_and_the_best_round_is_deployed()
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToTraining(shards: 2, rounds: 3);
        double[] losses = [0.9, 0.4, 0.6];
        for (var round = 1; round <= 3; round++)
        {
            await h.Publish(h.Trained(round, 0));
            await h.Publish(h.Trained(round, 1));
            await h.InState(m => m.Merging);
            await h.Publish(h.Merged(round, losses[round - 1]));
            if (round < 3)
            {
                var job = await h.InState(m => m.Training);
                Assert.Equal(round + 1, job.Round);
                Assert.All(h.SentOf<TrainShard>().Where(t => t.Round == round + 1), t => Assert.Equal($"jobs/x/rounds/{round}/merged.model", t.GlobalModel!.Key));
            }
        }

        var done = await h.InState(m => m.Deploying);
        Assert.Equal(3, done.History.Count);
        var deploy = Assert.Single(h.SentOf<DeployModel>());
        Assert.Equal(2, deploy.BestRound);
        Assert.Equal("jobs/x/rounds/2/merged.model", deploy.Model.Key);
        Assert.Equal("house-prices", deploy.ModelName);
    }

    [Fact]
    public async Task Training_stops_early_when_the_validation_loss_stops_improving()
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToTraining(shards: 1, rounds: 10, patience: 2);
        double[] losses = [0.5, 0.6, 0.7];
        for (var round = 1; round <= 3; round++)
        {
            await h.Publish(h.Trained(round, 0));
            await h.InState(m => m.Merging);
            await h.Publish(h.Merged(round, losses[round - 1]));
            if (round < 3)
            {
                await h.InState(m => m.Training);
            }
        }

        var job = await h.InState(m => m.Deploying);
        Assert.Equal(3, job.Round);
        Assert.Equal(1, Assert.Single(h.SentOf<DeployModel>()).BestRound);
    }

    [Fact]
    public async Task A_failed_shard_is_sent_again_then_fails_the_job_after_the_attempt_limit()
    {
        await using var h = await JobHarness.StartAsync(maxAttempts: 2);
        await h.DriveToTraining(shards: 2);
        await h.Publish(new ShardTrainingFailed { JobId = h.JobId, Round = 1, Shard = 1, Reason = "out of memory", Worker = "w1" });
        Assert.True(await h.Harness.Sent.Any<TrainShard>(x => x.Context.Message is { Shard: 1, Attempt: 2 }));

        await h.Publish(new ShardTrainingFailed { JobId = h.JobId, Round = 1, Shard = 1, Reason = "out of memory", Worker = "w2" });
        var job = await h.InState(m => m.Failed);
        Assert.Equal("train", job.FailedStage);
        Assert.Contains("shard 1 of round 1 failed 2 times", job.FailureReason, StringComparison.Ordinal);
        Assert.Contains("w2: out of memory", job.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_round_that_times_out_resends_only_the_missing_shards_then_fails()
    {
        await using var h = await JobHarness.StartAsync(roundTimeout: TimeSpan.FromMilliseconds(300), maxAttempts: 2);
        await h.DriveToTraining(shards: 3);
        await h.Publish(h.Trained(1, 0));
        await h.Publish(h.Trained(1, 2));

        Assert.True(await h.Harness.Sent.Any<TrainShard>(x => x.Context.Message is { Shard: 1, Attempt: 2 }));
        Assert.DoesNotContain(h.SentOf<TrainShard>(), t => t.Shard != 1 && t.Attempt > 1);

        var job = await h.InState(m => m.Failed);
        Assert.Contains("waiting for shards 1", job.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_job_stops_and_ignores_late_results()
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToTraining(shards: 2);
        await h.Publish(new CancelJob { JobId = h.JobId, Reason = "wrong file" });

        var job = await h.InState(m => m.Cancelled);
        Assert.Equal("wrong file", job.FailureReason);
        Assert.True(await h.Harness.Published.Any<JobCancelled>());
        await h.Publish(h.Trained(1, 0));
        await h.Publish(h.Trained(1, 1));
        Assert.True(await h.Harness.Consumed.Any<ShardTrained>(x => h.Harness.Consumed.Select<ShardTrained>().Count() == 2));
        Assert.Empty(h.SentOf<MergeRound>());
        Assert.Equal(h.Machine.Cancelled.Name, h.Saga.Sagas.Contains(h.JobId)!.CurrentState);
    }

    [Fact]
    public async Task Cancel_is_honoured_while_validating()
    {
        await using var h = await JobHarness.StartAsync();
        await h.Submit(h.Spec());
        await h.InState(m => m.Validating);
        await h.Publish(new CancelJob { JobId = h.JobId });
        await h.InState(m => m.Cancelled);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Deployment_ends_the_job_deployed_or_rejected_by_the_gate(bool promoted)
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToDeploying();

        if (promoted)
        {
            await h.Publish(new ModelDeployed { JobId = h.JobId, ModelName = "house-prices", Version = 4, Test = new ModelMetrics { Mse = 0.3 } });
            Assert.Equal(4, (await h.InState(m => m.Completed)).DeployedVersion);
        }
        else
        {
            await h.Publish(new DeploymentRejected { JobId = h.JobId, ModelName = "house-prices", Version = 4, Reason = "test MSE 0.41 is worse than production's 0.30 beyond 2 %" });
            Assert.StartsWith("test MSE 0.41", (await h.InState(m => m.GateRejected)).FailureReason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_model_not_worth_serving_ends_the_job_rejected_with_its_metrics_beside_the_baseline_and_trivial_ones()
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToDeploying();
        Assert.False(Assert.Single(h.SentOf<DeployModel>()).ForceDeploy);

        await h.Publish(new DeploymentRejected
        {
            JobId = h.JobId,
            ModelName = "house-prices",
            Version = 1,
            Reason = "not worth serving: test R² -0.2, while predicting the training mean scores R² 0",
            Test = new ModelMetrics { R2 = -0.2 },
            Baseline = new ModelMetrics { R2 = 0.85 },
            Trivial = new ModelMetrics { R2 = 0 },
        });

        var job = await h.InState(m => m.GateRejected);
        var view = JobViewMapper.Detail(job);
        Assert.Equal("Rejected", view.Summary.State);
        Assert.StartsWith("not worth serving", view.Summary.Error, StringComparison.Ordinal);
        Assert.Equal(-0.2, view.Model!.Test!.R2);
        Assert.Equal(0.85, view.Model.Baseline!.R2);
        Assert.Equal(0, view.Model.Trivial!.R2);
    }

    [Fact]
    public async Task The_end_of_training_tells_the_workers_which_shards_they_can_free()
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToDeploying();
        Assert.True(await h.Harness.Published.Any<TrainingFinished>(x => x.Context.Message.JobId == h.JobId));
        var finished = h.Harness.Published.Select<TrainingFinished>().Single(x => x.Context.Message.JobId == h.JobId).Context.Message;
        Assert.Equal(["jobs/x/prep/shard-0.bin", "jobs/x/prep/validation.bin"], finished.Data.Select(d => d.Key));
    }

    [Fact]
    public async Task Force_deploy_travels_with_the_deploy_command()
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToDeploying(s => s with { ForceDeploy = true });
        Assert.True(Assert.Single(h.SentOf<DeployModel>()).ForceDeploy);
    }

    [Fact]
    public async Task On_a_plateau_the_next_rounds_train_with_half_the_learning_rate_and_early_stopping_waits_for_the_minimum_epochs()
    {
        await using var h = await JobHarness.StartAsync();
        await h.DriveToTraining(shards: 1, rounds: 10, patience: 4, change: s => s with
        {
            Training = s.Training with { LocalEpochs = 1, LearningRate = 0.01, LearningRateSchedule = "plateau", MinEpochs = 6 },
        });
        double[] losses = [0.5, 0.6, 0.6, 0.6, 0.6, 0.6];
        for (var round = 1; round <= losses.Length; round++)
        {
            await h.Publish(h.Trained(round, 0));
            await h.InState(m => m.Merging);
            await h.Publish(h.Merged(round, losses[round - 1]));
            if (round < losses.Length)
            {
                await h.InState(m => m.Training);
            }
        }

        // Rounds 2-3 without improvement halve the rate for round 4 (half of the patience of 4); 4-5 again for round 6.
        var rates = h.SentOf<TrainShard>().OrderBy(t => t.Round).Select(t => t.Settings.LearningRate).ToList();
        Assert.Equal([0.01, 0.01, 0.01, 0.005, 0.005, 0.0025], rates);

        // Patience (4 epochs) ran out after round 5, but the minimum budget of 6 epochs held training to round 6.
        var job = await h.InState(m => m.Deploying);
        Assert.Equal(6, job.Round);
        Assert.Equal(1, Assert.Single(h.SentOf<DeployModel>()).BestRound);
    }
}
