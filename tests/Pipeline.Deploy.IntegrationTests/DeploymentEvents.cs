using System.Collections.Concurrent;
using MassTransit;
using Pipeline.Contracts;
using Pipeline.Platform.Messaging;

namespace Pipeline.Deploy.IntegrationTests;

/// <summary>Plays the saga's part: sends DeployModel and waits for the event that answers it.</summary>
public sealed class DeploymentEvents
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<object>> _waiting = new();
    private readonly IBus _bus;

    private DeploymentEvents(IBus bus) => _bus = bus;

    public static async Task<DeploymentEvents> ConnectAsync(IBus bus)
    {
        var events = new DeploymentEvents(bus);
        var handle = bus.ConnectReceiveEndpoint("deploy-test-saga-" + Guid.NewGuid().ToString("N")[..8], e =>
        {
            e.Handler<ModelDeployed>(ctx => events.Complete(ctx.Message.JobId, ctx.Message));
            e.Handler<DeploymentRejected>(ctx => events.Complete(ctx.Message.JobId, ctx.Message));
            e.Handler<DeploymentFailed>(ctx => events.Complete(ctx.Message.JobId, ctx.Message));
        });
        await handle.Ready;
        return events;
    }

    public async Task<object> DeployAsync(DeployModel command)
    {
        var waiting = _waiting.GetOrAdd(command.JobId, _ => new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously));
        var endpoint = await _bus.GetSendEndpoint(CommandQueues.Address(CommandQueues.DeployModel));
        await endpoint.Send(command);
        return await waiting.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private Task Complete(Guid jobId, object message)
    {
        _waiting.GetOrAdd(jobId, _ => new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(message);
        return Task.CompletedTask;
    }
}
