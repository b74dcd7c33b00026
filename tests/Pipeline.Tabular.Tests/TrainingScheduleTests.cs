using Pipeline.Contracts;
using Pipeline.Tabular.Planning;

namespace Pipeline.Tabular.Tests;

public sealed class TrainingScheduleTests
{
    private static readonly TrainingSettings Plateau = new() { LearningRate = 0.01, Patience = 4, LocalEpochs = 1, Rounds = 100, MinEpochs = 6, LearningRateSchedule = "plateau" };

    [Fact]
    public void Patience_is_counted_in_epochs_not_rounds()
    {
        var fivePerRound = Plateau with { LocalEpochs = 5, Patience = 10, MinEpochs = 0 };
        Assert.False(TrainingSchedule.IsLastRound(round: 5, roundsWithoutImprovement: 1, fivePerRound)); // 5 epochs
        Assert.True(TrainingSchedule.IsLastRound(round: 5, roundsWithoutImprovement: 2, fivePerRound)); // 10 epochs
    }

    [Fact]
    public void Early_stopping_waits_for_the_minimum_budget_and_stops_at_the_round_ceiling()
    {
        Assert.False(TrainingSchedule.IsLastRound(round: 5, roundsWithoutImprovement: 5, Plateau)); // 5 < 6 epochs
        Assert.True(TrainingSchedule.IsLastRound(round: 6, roundsWithoutImprovement: 4, Plateau));
        Assert.True(TrainingSchedule.IsLastRound(round: 100, roundsWithoutImprovement: 0, Plateau));
        Assert.False(TrainingSchedule.IsLastRound(round: 99, roundsWithoutImprovement: 99, Plateau with { Patience = 0 }));
    }

    [Fact]
    public void A_loss_that_improves_only_by_noise_does_not_restart_patience()
    {
        Assert.True(TrainingSchedule.IsImprovement(0.99, 1.0));
        Assert.False(TrainingSchedule.IsImprovement(0.99995, 1.0));
        Assert.True(TrainingSchedule.IsImprovement(5, null));
    }

    [Fact]
    public void A_loss_near_zero_that_keeps_falling_by_a_share_of_itself_does_not_count_as_improving()
    {
        // A separable classification set: the log-loss halves every round while the logits grow without bound.
        Assert.False(TrainingSchedule.IsImprovement(5e-9, 1e-8));
        Assert.False(TrainingSchedule.IsImprovement(0.00005, 0.0001));
        Assert.True(TrainingSchedule.IsImprovement(0.0008, 0.001));
    }

    [Fact]
    public void The_plateau_schedule_halves_the_rate_after_half_the_patience_without_improvement_and_never_raises_it()
    {
        Assert.Equal(0.01, TrainingSchedule.LearningRate([], Plateau));
        Assert.Equal(0.01, TrainingSchedule.LearningRate([1.0, 0.9, 0.8], Plateau));
        Assert.Equal(0.01, TrainingSchedule.LearningRate([1.0, 0.9, 0.95], Plateau)); // one epoch without
        Assert.Equal(0.005, TrainingSchedule.LearningRate([1.0, 0.9, 0.95, 0.95], Plateau)); // two = half of 4
        Assert.Equal(0.005, TrainingSchedule.LearningRate([1.0, 0.9, 0.95, 0.95, 0.5], Plateau)); // improved: stays halved
        Assert.Equal(0.0025, TrainingSchedule.LearningRate([1.0, 0.9, 0.95, 0.95, 0.96, 0.97], Plateau));
    }

    [Fact]
    public void The_constant_schedule_keeps_the_rate()
    {
        Assert.Equal(0.01, TrainingSchedule.LearningRate([1.0, 2, 3, 4, 5, 6, 7], Plateau with { LearningRateSchedule = "constant" }));
    }
}
