namespace Pipeline.Orchestrator.StateMachines;

/// <summary>Which finished jobs can be deployed again from their stored best model, shared by the API and the saga.</summary>
public static class Redeployment
{
    /// <summary>Null when the job can be redeployed, else why not (for a 409).</summary>
    public static string? WhyNot(TrainingJobState job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.CurrentState is not ("Completed" or "GateRejected" or "Failed"))
        {
            return $"job {job.CorrelationId} is {job.CurrentState}; only a deployed, rejected or failed-in-deploy job can be redeployed";
        }

        if (job.CurrentState == "Failed" && job.FailedStage != "deploy")
        {
            return $"job {job.CorrelationId} failed in stage {job.FailedStage}, before it had a model to deploy; submit it again";
        }

        return job.BestModel is null || job.Prepared is null || job.History.Count == 0
            ? $"job {job.CorrelationId} has no stored best model"
            : null;
    }
}
