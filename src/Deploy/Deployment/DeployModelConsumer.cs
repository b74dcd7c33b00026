using MassTransit;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;

namespace Pipeline.Deploy.Deployment;

/// <summary>
/// Handles <see cref="DeployModel"/> from the <c>deploy-model</c> queue and tells the saga how it ended. An error
/// that is not the model's fault (store or database down) is thrown: the bus retries, then redelivers for minutes,
/// and only then publishes <c>Fault&lt;DeployModel&gt;</c>, which the saga turns into the job's failure.
/// </summary>
public sealed class DeployModelConsumer(ModelDeployer deployer) : IConsumer<DeployModel>
{
    public async Task Consume(ConsumeContext<DeployModel> context)
    {
        var command = context.Message;
        var outcome = await deployer.DeployAsync(command, context.CancellationToken);
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
