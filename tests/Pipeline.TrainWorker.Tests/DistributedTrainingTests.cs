using Pipeline.Testing.Training;
using Pipeline.Contracts;

namespace Pipeline.TrainWorker.Tests;

/// <summary>Whole training jobs through the real saga and workers, on a small version of the seed workload.</summary>
public sealed class DistributedTrainingTests
{
    private static readonly TrainingData Data = TrainingData.Create(trainRows: 8_000, validationRows: 2_000, seed: 7);

    private static TrainingSettings Settings(int shards, int rounds = 6, string merge = "auto", double serverMomentum = -1) => new()
    {
        Merge = merge,
        ServerMomentum = serverMomentum,
        ServerLearningRate = merge == "fedadam" ? 0.01 : TrainingSettings.Auto, // Reddi et al.'s range for FedAdam
        Shards = shards,
        Rounds = rounds,
        LocalEpochs = 1,
        BatchSize = 64,
        HiddenLayers = [64],
        LearningRate = 0.003,
        Patience = 0,
        Seed = 11,
    };

    [Fact]
    public async Task A_job_trains_every_round_and_deploys_the_best_merged_model()
    {
        await using var system = new TrainingSystem(Data);
        await system.StartAsync();

        var job = await system.RunJob(Settings(shards: 4));

        Assert.Equal("Completed", job.CurrentState);
        Assert.Equal(6, job.History.Count);
        Assert.Equal(job.History.MinBy(h => h.ValidationLoss)!.Round, job.BestRound);

        // Close to the noise floor (0.25): the model learned the linear signal.
        Assert.InRange(job.BestValidationLoss!.Value, 0.2, 0.4);
        Assert.True(job.History[^1].ValidationLoss < job.History[0].ValidationLoss);

        // The arithmetic's own time travels with the results (the benchmarks' coordination share is computed from it).
        Assert.All(job.History, h => Assert.True(h.MergeComputeSeconds > 0));
        Assert.All(job.History.SelectMany(h => h.Shards), s => Assert.True(s.ComputeSeconds > 0));
    }

    [Theory]
    [InlineData("auto", -1)]
    [InlineData("fedavgm", 0.75)]
    [InlineData("fedadam", 0.9)]
    public async Task The_final_model_is_bit_identical_whatever_order_the_shards_finish_in(string merge, double serverMomentum)
    {
        byte[] sequential, concurrent;
        await using (var one = new TrainingSystem(Data, workerConcurrency: 1))
        {
            await one.StartAsync();
            var job = await one.RunJob(Settings(shards: 4, rounds: 3, merge, serverMomentum));
            sequential = await one.Bytes(job.BestModel!);
        }

        await using (var four = new TrainingSystem(Data, workerConcurrency: 4))
        {
            await four.StartAsync();
            var job = await four.RunJob(Settings(shards: 4, rounds: 3, merge, serverMomentum));
            concurrent = await four.Bytes(job.BestModel!);
        }

        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(sequential)), Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(concurrent)));
    }

    /// <summary>FedAvgM with server learning rate 1 and no momentum is plain averaging: with one shard, plain training.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Fedavgm_with_rate_one_and_no_momentum_gives_the_plain_models_bits(int shards)
    {
        await using var system = new TrainingSystem(Data);
        await system.StartAsync();

        var plain = await system.RunJob(Settings(shards, rounds: 3, "fedavg"));
        var server = await system.RunJob(Settings(shards, rounds: 3, "fedavgm", serverMomentum: 0) with { ServerLearningRate = 1 });

        Assert.Equal(3, server.History.Count);
        Assert.Equal(
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await system.Bytes(plain.BestModel!))),
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await system.Bytes(server.BestModel!))));
    }

    /// <summary>Server momentum changes the result (the setting reaches the merger) and the job still learns.</summary>
    [Fact]
    public async Task Server_momentum_reaches_the_merge_and_the_job_still_learns()
    {
        await using var system = new TrainingSystem(Data);
        await system.StartAsync();

        var plain = await system.RunJob(Settings(shards: 4, rounds: 6));
        var momentum = await system.RunJob(Settings(shards: 4, rounds: 6, "fedavgm", serverMomentum: 0.5));

        Assert.Equal("Completed", momentum.CurrentState);
        Assert.NotEqual(plain.History[1].ValidationLoss, momentum.History[1].ValidationLoss);

        // Learns: a tenth of the mean predictor's loss at most (R² above 0.9; the validation rows' variance is about 16).
        // Six rounds at momentum 0.5 need not reach the noise floor the plain run reaches.
        var validation = Data.Y.Skip(Data.TrainRows).Take(Data.ValidationRows).ToArray();
        var mean = validation.Average();
        var trivial = validation.Average(y => (y - mean) * (y - mean));
        Assert.InRange(momentum.BestValidationLoss!.Value, 0.25 * 0.8, 0.1 * trivial);
    }

    /// <summary>
    /// Plain averaging at a constant learning rate (15 rounds), and the plan's regime for several shards: FedAvgM
    /// with momentum 1 − 1/K under the plateau schedule with early stopping, against K = 1 in the same regime.
    /// </summary>
    [Theory]
    [InlineData("fedavg")]
    [InlineData("fedavgm")]
    public async Task Sharded_training_matches_single_shard_training_within_five_percent(string merge)
    {
        await using var system = new TrainingSystem(Data);
        await system.StartAsync();

        var plan = merge == "fedavgm";
        TrainingSettings Regime(int shards) => plan
            ? Settings(shards, rounds: 60, merge, Tabular.Planning.TrainingPlanner.ShardedServerMomentum(shards)) with { LearningRateSchedule = "plateau", Patience = 10, MinEpochs = 10 }
            : Settings(shards, rounds: 15);
        var single = await system.RunJob(Regime(1));
        var sharded = await system.RunJob(Regime(4));

        var ratio = sharded.BestValidationLoss!.Value / single.BestValidationLoss!.Value;
        Assert.True(ratio is >= 0.95 and <= 1.05, $"val MSE K=4 {sharded.BestValidationLoss:F4} vs K=1 {single.BestValidationLoss:F4}: ratio {ratio:F4}");
    }

    [Fact]
    public async Task Four_jobs_at_once_do_not_interfere()
    {
        await using var system = new TrainingSystem(Data, workerConcurrency: 2);
        await system.StartAsync();
        var alone = await system.RunJob(Settings(shards: 2, rounds: 2));

        var together = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => system.RunJob(Settings(shards: 2, rounds: 2))));

        var expected = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await system.Bytes(alone.BestModel!)));
        foreach (var job in together)
        {
            Assert.Equal("Completed", job.CurrentState);
            Assert.Equal(expected, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await system.Bytes(job.BestModel!))));
        }
    }

    [Fact]
    public async Task A_corrupt_shard_fails_the_job_after_the_bounded_attempts_with_the_reason()
    {
        await using var system = new TrainingSystem(Data, corruptShard: 1);
        await system.StartAsync();

        var job = await system.RunJob(Settings(shards: 2, rounds: 2));

        Assert.Equal("Failed", job.CurrentState);
        Assert.Equal("train", job.FailedStage);
        Assert.Contains("shard 1 of round 1 failed 3 times", job.FailureReason, StringComparison.Ordinal);
        Assert.Contains("checksum", job.FailureReason, StringComparison.OrdinalIgnoreCase);
    }
}
