using Pipeline.Cli.Demo;
using Pipeline.Orchestrator.StateMachines;

namespace Pipeline.Cli;

/// <summary>Reads a finished (or running) job's saga state the way users see it.</summary>
public static class JobOutcome
{
    /// <summary>The saga's state names mapped to the words the CLI and dashboard use.</summary>
    public static string StateOf(TrainingJobState job) => job.CurrentState switch
    {
        "Completed" => "Deployed",
        "GateRejected" => "Rejected",
        var other => other,
    };

    public static bool IsOver(TrainingJobState? job) => job?.CurrentState is "Completed" or "GateRejected" or "Failed" or "Cancelled";

    public static IReadOnlyList<DemoStage> Stages(TrainingJobState job)
    {
        var stages = new List<DemoStage>();
        void Add(string name, DateTimeOffset? from, DateTimeOffset? to)
        {
            if (from is not null && to is not null)
            {
                stages.Add(new DemoStage(name, Math.Round((to.Value - from.Value).TotalSeconds, 3)));
            }
        }

        Add("ingest", job.SubmittedAt, job.AcceptedAt);
        Add("preprocess", job.AcceptedAt, job.PreprocessedAt);
        Add("train", job.PreprocessedAt, job.TrainedAt);
        Add("deploy", job.TrainedAt, job.CurrentState is "Completed" or "GateRejected" ? job.FinishedAt : null);
        return stages;
    }
}
