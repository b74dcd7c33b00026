using Pipeline.Contracts;
using Pipeline.Orchestrator.Api;
using Pipeline.Orchestrator.StateMachines;
using Pipeline.Contracts.Api;

namespace Pipeline.Orchestrator.Tests;

/// <summary>What the API and dashboard make of a stored job.</summary>
public sealed class JobViewMapperTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_job_in_round_three_of_four_reports_training_progress_shards_and_losses()
    {
        var job = Job("Training");
        job.AcceptedAt = T0.AddSeconds(2);
        job.PreprocessedAt = T0.AddSeconds(5);
        job.Round = 3;
        job.Prepared = Prepared(3);
        job.History = [Round(1, 0.9, "w1"), Round(2, 0.7, "w2")];
        job.RoundResults = [new ShardResult(1, Ref("m"), 100, 0.65, "w3")];
        job.Attempts = new Dictionary<int, int> { [0] = 1, [1] = 1, [2] = 2 };

        var detail = JobViewMapper.Detail(job);

        Assert.Equal("Training", detail.Summary.State);
        Assert.Equal("train", detail.Summary.Stage);
        Assert.False(detail.Summary.Finished);
        Assert.Equal(0.1 + 0.1 + 0.7 * 2 / 4, detail.Summary.Progress, 3);
        Assert.Equal(0.7 + 0.1, detail.Summary.ValidationLoss!.Value, 9);
        Assert.Equal([1, 2], detail.Rounds.Select(r => r.Round));
        Assert.Equal(3, detail.Rounds[1].Shards.Count);

        // Shard 1 has reported this round (on w3); the others show what they did last round (on w2).
        Assert.Equal(new ShardView(1, 100, true, "w3", 0.65, 1), detail.Shards[1]);
        Assert.Equal(new ShardView(2, 100, false, "w2", 0.7, 2), detail.Shards[2]);
        Assert.Equal(["ingest", "preprocess"], detail.Stages.Select(s => s.Name));
        Assert.Equal(["submitted", "validated", "preprocessed", "round 1 merged", "round 2 merged"], detail.Timeline.Select(t => t.Stage));
        Assert.Equal($"/api/jobs/{job.CorrelationId}/profile", detail.ProfileUrl);
        Assert.Null(detail.Failure);
        Assert.Null(detail.Model);
    }

    [Theory]
    [InlineData("Completed", "Deployed", "deploy", true)]
    [InlineData("GateRejected", "Rejected", "deploy", true)]
    [InlineData("Cancelled", "Cancelled", "ingest", true)]
    [InlineData("Validating", "Validating", "ingest", false)]
    [InlineData("Merging", "Merging", "train", false)]
    public void Saga_states_become_the_words_users_see(string saga, string state, string stage, bool finished)
    {
        var summary = JobViewMapper.Summary(Job(saga));
        Assert.Equal(state, summary.State);
        Assert.Equal(stage, summary.Stage);
        Assert.Equal(finished, summary.Finished);
    }

    [Fact]
    public void A_failed_job_names_its_stage_and_reason()
    {
        var job = Job("Failed");
        job.FailedStage = "ingest";
        job.FailureReason = "houses.csv line 7, column price: 'abc' is not a number";
        job.FinishedAt = T0.AddSeconds(1);

        var detail = JobViewMapper.Detail(job);

        Assert.Equal(new JobFailure("ingest", job.FailureReason), detail.Failure);
        Assert.Equal("ingest", detail.Summary.Stage);
        Assert.Equal(job.FailureReason, detail.Summary.Error);
        Assert.Equal("failed", detail.Timeline[^1].Stage);
        Assert.Null(detail.ProfileUrl);
    }

    private static TrainingJobState Job(string state) => new()
    {
        CorrelationId = Guid.NewGuid(),
        CurrentState = state,
        SubmittedAt = T0,
        UpdatedAt = T0,
        ModelName = "houses",
        Source = Ref("ingest/houses.csv"),
        Spec = new JobSpec { Training = new TrainingSettings { Rounds = 4, Shards = 3 } },
    };

    private static RoundRecord Round(int round, double loss, string worker) => new(
        round, loss + 0.05, loss + 0.1, new ModelMetrics { Mse = loss }, Ref("merged"), T0.AddSeconds(10 + round),
        [.. Enumerable.Range(0, 3).Select(s => new ShardResult(s, Ref("s"), 100, loss, worker))]);

    private static DatasetPreprocessed Prepared(int shards) => new()
    {
        JobId = Guid.NewGuid(),
        Shards = [.. Enumerable.Range(0, shards).Select(i => new ShardInfo(i, Ref($"shard-{i}"), 100))],
        Validation = Ref("v"),
        Test = Ref("t"),
        Transform = Ref("x"),
        Profile = Ref("profile.json"),
        Features = 5,
        Outputs = 1,
        Task = TaskKind.Regression,
    };

    private static ObjectRef Ref(string key) => new("b", key, "", 1);
}
