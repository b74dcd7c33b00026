using Pipeline.Orchestrator.StateMachines;
using Pipeline.Contracts.Api;

namespace Pipeline.Orchestrator.Api;

/// <summary>Turns a stored job into what users see: the words of the CLI and dashboard, not the saga's internals.</summary>
public static class JobViewMapper
{
    /// <summary>The saga's state names mapped to the words the CLI and dashboard use.</summary>
    public static string StateOf(TrainingJobState job) => StateOf(job.CurrentState);

    /// <inheritdoc cref="StateOf(TrainingJobState)"/>
    public static string StateOf(string sagaState) => sagaState switch
    {
        "Completed" => "Deployed",
        "GateRejected" => "Rejected",
        var other => other,
    };

    /// <summary>The saga state a user's word stands for (the inverse of <see cref="StateOf"/>), for filtering in SQL.</summary>
    public static string SagaStateOf(string state) => state.ToLowerInvariant() switch
    {
        "deployed" => "Completed",
        "rejected" => "GateRejected",
        _ => char.ToUpperInvariant(state[0]) + state[1..].ToLowerInvariant(),
    };

    /// <summary>Whether the job has reached an outcome (deployed, rejected, failed, cancelled): the one list of them.</summary>
    public static bool IsOver(TrainingJobState? job) => job?.CurrentState is "Completed" or "GateRejected" or "Failed" or "Cancelled";

    public static JobSummary Summary(TrainingJobState job)
    {
        var history = job.History;
        var rounds = job.Spec.Training.Rounds;
        return new JobSummary
        {
            JobId = job.CorrelationId,
            State = StateOf(job),
            Stage = StageOf(job),
            Finished = IsOver(job),
            ModelName = job.ModelName,
            Source = $"{job.Source.Bucket}/{job.Source.Key}",
            Round = job.Round,
            Rounds = rounds,
            Progress = Progress(job, rounds),
            ValidationLoss = history.Count > 0 ? history[^1].ValidationLoss : null,
            DeployedVersion = job.CurrentState == "Completed" ? job.DeployedVersion : null,
            SubmittedAt = job.SubmittedAt,
            UpdatedAt = job.UpdatedAt,
            Error = job.CurrentState is "Failed" or "GateRejected" or "Cancelled" ? job.FailureReason : null,
        };
    }

    public static JobDetail Detail(TrainingJobState job)
    {
        var summary = Summary(job);
        var history = job.History;
        var current = job.RoundResults;
        var attempts = job.Attempts;
        var shards = (job.Prepared?.Shards ?? []).Select(s =>
        {
            var now = current.Find(r => r.Shard == s.Index);
            var last = now ?? history.LastOrDefault()?.Shards.FirstOrDefault(r => r.Shard == s.Index);
            return new ShardView(s.Index, s.Rows, now is not null, last?.Worker, last?.Loss, attempts.GetValueOrDefault(s.Index));
        }).ToList();

        return new JobDetail
        {
            Summary = summary,
            Spec = job.Spec,
            Timeline = Timeline(job),
            Stages = Stages(job),
            DatasetId = job.DatasetId,
            DatasetRows = job.DatasetRows,
            Shards = shards,
            Rounds = history.Select(h => new RoundView(h.Round, h.TrainLoss, h.ValidationLoss, h.Validation, h.MergedAt,
                h.Shards.OrderBy(s => s.Shard).Select(s => new ShardLoss(s.Shard, s.Loss, s.Samples, s.Worker)).ToList())).ToList(),
            BestRound = history.Count > 0 ? job.BestRound : null,
            Failure = job.CurrentState == "Failed" ? new JobFailure(job.FailedStage ?? "unknown", job.FailureReason ?? "") : null,
            Model = job.CurrentState is "Completed" or "GateRejected" && job.ModelName.Length > 0
                ? new DeployedModelView(job.ModelName, job.DeployedVersion, job.TestMetrics, summary.State, job.BaselineMetrics, job.TrivialMetrics)
                : null,
            ProfileUrl = job.Prepared is null ? null : $"/api/jobs/{job.CorrelationId}/profile",
        };
    }

    /// <summary>Seconds per stage: ingest = accepted - submitted, and so on; a stage still running is absent.</summary>
    public static IReadOnlyList<StageTiming> Stages(TrainingJobState job)
    {
        var stages = new List<StageTiming>();
        void Add(string name, DateTimeOffset? from, DateTimeOffset? to)
        {
            if (from is not null && to is not null)
            {
                stages.Add(new StageTiming(name, Math.Round((to.Value - from.Value).TotalSeconds, 3)));
            }
        }

        Add("ingest", job.SubmittedAt, job.AcceptedAt);
        Add("preprocess", job.AcceptedAt, job.PreprocessedAt);
        Add("train", job.PreprocessedAt, job.TrainedAt);
        Add("deploy", job.TrainedAt, job.CurrentState is "Completed" or "GateRejected" ? job.FinishedAt : null);
        return stages;
    }

    private static IReadOnlyList<TimelineEntry> Timeline(TrainingJobState job)
    {
        var entries = new List<TimelineEntry> { new("submitted", job.SubmittedAt) };
        void Add(string stage, DateTimeOffset? at)
        {
            if (at is not null)
            {
                entries.Add(new TimelineEntry(stage, at.Value));
            }
        }

        Add("validated", job.AcceptedAt);
        Add("preprocessed", job.PreprocessedAt);
        foreach (var round in job.History)
        {
            entries.Add(new TimelineEntry($"round {round.Round} merged", round.MergedAt));
        }

        Add("trained", job.TrainedAt);
        Add(StateOf(job).ToLowerInvariant(), IsOver(job) ? job.FinishedAt : null);
        return entries;
    }

    private static string StageOf(TrainingJobState job) => job.CurrentState switch
    {
        "Validating" => "ingest",
        "Preprocessing" => "preprocess",
        "Training" or "Merging" => "train",
        "Deploying" or "Completed" or "GateRejected" => "deploy",
        "Failed" => job.FailedStage ?? "unknown",
        _ => job.TrainedAt is not null ? "deploy" : job.PreprocessedAt is not null ? "train" : job.AcceptedAt is not null ? "preprocess" : "ingest",
    };

    /// <summary>Ingest and preprocess count 10 % each, training 70 % split over the rounds, deployment the rest.</summary>
    private static double Progress(TrainingJobState job, int rounds)
    {
        if (job.CurrentState == "Completed" || job.CurrentState == "GateRejected")
        {
            return 1.0;
        }

        var p = 0.0;
        p += job.AcceptedAt is null ? 0 : 0.1;
        p += job.PreprocessedAt is null ? 0 : 0.1;
        p += job.TrainedAt is not null ? 0.7 : 0.7 * Math.Min(1.0, job.History.Count / (double)Math.Max(1, rounds));
        return Math.Round(p, 3);
    }
}
