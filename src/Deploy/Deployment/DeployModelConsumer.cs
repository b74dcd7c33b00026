using MassTransit;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.Platform.Hosting;

namespace Pipeline.Deploy.Deployment;

/// <summary>
/// Handles <see cref="DeployModel"/> from the <c>deploy-model</c> queue and tells the saga how it ended. An error
/// that is not the model's fault (store or database down) is thrown: the bus retries, then redelivers for minutes,
/// and only then publishes <c>Fault&lt;DeployModel&gt;</c>, which the saga turns into the job's failure.
/// A cancel of the job (<see cref="DeployJobCancelledConsumer"/>) stops the deployment within seconds, before the gate
/// decides, and leaves nothing stored: the saga, Cancelled already, hears nothing more.
/// </summary>
public sealed partial class DeployModelConsumer(ModelDeployer deployer, RunningJobs running, ILogger<DeployModelConsumer> logger) : IConsumer<DeployModel>
{
    public async Task Consume(ConsumeContext<DeployModel> context)
    {
        var command = context.Message;
        DeployOutcome outcome;
        using (var run = running.Start(command.JobId, context.CancellationToken))
        {
            try
            {
                outcome = await deployer.DeployAsync(command, run.Token);
            }
            catch (OperationCanceledException) when (run.JobCancelled(context.CancellationToken))
            {
                LogCancelled(logger, command.JobId, command.ModelName);
                return;
            }
        }

        switch (outcome)
        {
            case DeployOutcome.Deployed d:
                await context.Publish(new ModelDeployed { JobId = command.JobId, ModelName = command.ModelName, Version = d.Version, Test = d.Test, Baseline = d.Baseline, Trivial = d.Trivial });
                break;
            case DeployOutcome.Rejected r:
                await context.Publish(new DeploymentRejected { JobId = command.JobId, ModelName = command.ModelName, Version = r.Version, Reason = r.Reason, Test = r.Test, Baseline = r.Baseline, Trivial = r.Trivial });
                break;
            case DeployOutcome.Failed f:
                await context.Publish(new DeploymentFailed { JobId = command.JobId, Reason = f.Reason });
                break;
            default:
                throw new InvalidOperationException($"Unknown outcome {outcome}.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment for job {JobId} ({Model}) stopped: the job was cancelled; nothing stored")]
    private static partial void LogCancelled(ILogger logger, Guid jobId, string model);
}

/// <summary>Every Deploy instance hears about cancelled jobs (a temporary queue of its own) and stops their deployments.</summary>
public sealed class DeployJobCancelledConsumer(RunningJobs running) : IConsumer<JobCancelled>
{
    public Task Consume(ConsumeContext<JobCancelled> context)
    {
        running.Cancel(context.Message.JobId);
        return Task.CompletedTask;
    }
}

/// <summary>Handles <see cref="RollbackModel"/> from the <c>rollback-model</c> queue (the CLI's <c>pipeline rollback</c>).</summary>
public sealed class RollbackModelConsumer(Registry.ModelRegistry registry, ILogger<RollbackModelConsumer> logger) : IConsumer<RollbackModel>
{
    public async Task Consume(ConsumeContext<RollbackModel> context)
    {
        var m = context.Message;
        var result = await registry.RollbackAsync(m.ModelName, m.ToVersion, m.RequestedBy, context.CancellationToken);
        if (!result.Succeeded)
        {
            // A refused rollback is an answer, not a fault to retry: log it and reply when asked.
            logger.LogWarning("Rollback of {Model} refused: {Reason}", m.ModelName, result.Message);
            return;
        }

        if (result.FromVersion != result.ToVersion)
        {
            await context.Publish(new ModelRolledBack { ModelName = m.ModelName, FromVersion = result.FromVersion, ToVersion = result.ToVersion });
        }
    }
}
