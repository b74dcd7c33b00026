using System.Globalization;
using Pipeline.Contracts;

namespace Pipeline.Orchestrator.StateMachines;

/// <summary>
/// How long a job may stay in one state, and the setting that says so. One timer per job is enough: states follow
/// each other, so entering a state replaces the timer of the one before (the saga's <c>Deadline</c> schedule).
/// </summary>
internal sealed record StageDeadline(string Stage, string Setting, TimeSpan Limit)
{
    public static StageDeadline Validating(OrchestratorOptions o) => new("ingest", nameof(o.ValidatingDeadline), o.ValidatingDeadline);

    public static StageDeadline Preprocessing(OrchestratorOptions o) => new("preprocess", nameof(o.PreprocessingDeadline), o.PreprocessingDeadline);

    public static StageDeadline Merging(OrchestratorOptions o) => new("merge", nameof(o.MergingDeadline), o.MergingDeadline);

    public static StageDeadline Deploying(OrchestratorOptions o) => new("deploy", nameof(o.DeployingDeadline), o.DeployingDeadline);

    /// <summary>What the job's failure says when the deadline passes.</summary>
    public string Reason => $"stage {Stage} passed its deadline of {Describe(Limit)} (setting {OrchestratorOptions.Section}:{Setting})";

    public StageTimedOut Message(TrainingJobState job) => new() { JobId = job.CorrelationId, Stage = Stage, Round = job.Round };

    internal static string Describe(TimeSpan span) => span switch
    {
        { TotalHours: >= 1 } when span.TotalHours == Math.Floor(span.TotalHours) => $"{span.TotalHours:0} h",
        { TotalMinutes: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.#} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.###} s"),
    };
}
