using Pipeline.Contracts;
using Pipeline.Tabular.Planning;

namespace Pipeline.Tabular.Tests;

public sealed class TrainingPlannerTests
{
    [Theory]
    [InlineData(442, 1)]
    [InlineData(1_000_000, 1)]
    [InlineData(3_000_000, 2)]
    [InlineData(20_000_000, 4)]
    public void Small_data_is_not_sharded_and_large_data_gets_one_shard_per_million_training_rows_up_to_four(long rows, int shards)
    {
        var (settings, plan) = TrainingPlanner.Resolve(new TrainingSettings(), rows);
        Assert.Equal(shards, settings.Shards);
        Assert.True(plan.Single(p => p.Setting == "shards").Automatic);
    }

    [Fact]
    public void A_few_hundred_rows_get_small_batches_several_passes_per_round_and_a_long_patience()
    {
        var (s, _) = TrainingPlanner.Resolve(new TrainingSettings(), 442); // 354 training rows
        Assert.Equal(32, s.BatchSize);
        Assert.Equal(10, s.LocalEpochs); // 4,096 rows per round at least, capped at 10 passes
        Assert.Equal(20, s.Patience);
        Assert.Equal(20, s.MinEpochs);
        Assert.Equal(200, s.Rounds); // the 2,000-epoch ceiling
        Assert.Equal(0.001, s.LearningRate);
        Assert.Equal(0, s.WeightDecay); // none: measured mixed (docs/TRAINING.md, "Weight decay")
        Assert.Equal("plateau", s.LearningRateSchedule);
    }

    [Fact]
    public void A_million_rows_train_one_pass_per_round_with_full_batches_and_a_short_patience()
    {
        var (s, _) = TrainingPlanner.Resolve(new TrainingSettings(), 1_000_000);
        Assert.Equal(1, s.Shards);
        Assert.Equal(1, s.LocalEpochs);
        Assert.Equal(256, s.BatchSize);
        Assert.Equal(5, s.Patience);
        Assert.Equal(38, s.Rounds); // 30M samples / 800k rows
    }

    [Fact]
    public void Every_explicit_setting_wins_and_is_marked_as_given()
    {
        var asked = new TrainingSettings { Shards = 8, Rounds = 7, LocalEpochs = 2, BatchSize = 100, LearningRate = 0.01, WeightDecay = 0, Patience = 0, MinEpochs = 3, LearningRateSchedule = "constant", Merge = "fedadam", ServerLearningRate = 0.5, ServerMomentum = 0 };
        var (s, plan) = TrainingPlanner.Resolve(asked, 442);
        Assert.Equal(asked, s);
        Assert.All(plan, p => Assert.False(p.Automatic, p.Setting));
        Assert.Equal(["shards", "epochs", "batch-size", "learning-rate", "weight-decay", "lr-schedule", "patience", "min-epochs", "rounds", "merge", "server-lr", "server-momentum"], plan.Select(p => p.Setting));
    }

    /// <summary>One shard must train exactly as without a merge scheme: fedavg, or the server values that equal it.</summary>
    [Theory]
    [InlineData("auto")]
    [InlineData("fedavgm")]
    public void One_shard_merges_plainly(string merge)
    {
        var (s, plan) = TrainingPlanner.Resolve(new TrainingSettings { Merge = merge }, 1_000_000);
        Assert.Equal(1, s.Shards);
        Assert.Equal(merge == "auto" ? "fedavg" : merge, s.Merge);
        if (merge == "auto")
        {
            Assert.Equal(1, s.ServerLearningRate);
            Assert.Equal(0, s.ServerMomentum);
        }

        Assert.Equal(merge == "auto", plan.Single(p => p.Setting == "merge").Automatic);
    }

    [Fact]
    public void Several_shards_get_the_measured_merge_scheme()
    {
        var (s, plan) = TrainingPlanner.Resolve(new TrainingSettings { Shards = 4 }, 1_000_000);
        Assert.Equal(TrainingPlanner.ShardedMerge, s.Merge);
        Assert.Equal(TrainingPlanner.ShardedServerLearningRate, s.ServerLearningRate);
        Assert.Equal(TrainingPlanner.ShardedServerMomentum(4), s.ServerMomentum);
        Assert.Equal(0.75, s.ServerMomentum);
        Assert.True(plan.Single(p => p.Setting == "server-momentum").Automatic);
    }

    [Theory]
    [InlineData("constant", -1)]
    [InlineData("auto", 0)]
    public void A_learning_rate_that_never_decays_keeps_plain_averaging_for_several_shards(string schedule, int patience)
    {
        var (s, _) = TrainingPlanner.Resolve(new TrainingSettings { Shards = 4, LearningRateSchedule = schedule, Patience = patience }, 1_000_000);
        Assert.Equal("fedavg", s.Merge);
        Assert.Equal(0, s.ServerMomentum);
    }

    [Fact]
    public void Every_automatic_choice_says_why()
    {
        var (_, plan) = TrainingPlanner.Resolve(new TrainingSettings(), 5_000);
        Assert.All(plan, p =>
        {
            Assert.True(p.Automatic, p.Setting);
            Assert.True(p.Reason.Length > 20, $"{p.Setting}: '{p.Reason}'");
        });
    }
}
