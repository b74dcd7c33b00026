using System.Collections.Concurrent;
using MassTransit;

namespace Pipeline.Platform.Messaging;

/// <summary>
/// The durable queues this process's bus consumes from, learnt from its receive endpoints as they become ready and
/// forgotten when one is stopped on purpose. Temporary queues (the bus's own reply queue, auto-delete endpoints) are
/// left out: the broker deletes them with their consumer, so there is nothing to watch.
/// </summary>
public sealed class ReceiveQueues : IReceiveEndpointObserver
{
    private readonly ConcurrentDictionary<string, Uri> _queues = new(StringComparer.Ordinal);

    /// <summary>The queue names being consumed now.</summary>
    public IReadOnlyCollection<string> Names => _queues.Keys.ToArray();

    public Task Ready(ReceiveEndpointReady ready)
    {
        if (QueueName(ready.InputAddress) is { } name)
        {
            _queues[name] = ready.InputAddress;
        }

        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping)
    {
        if (QueueName(stopping.InputAddress) is { } name)
        {
            _queues.TryRemove(name, out _);
        }

        return Task.CompletedTask;
    }

    /// <summary>Watches a queue as if an endpoint of this bus consumed it (tests stand in for a stuck endpoint with it).</summary>
    internal void Watch(string queue) => _queues[queue] = new Uri($"queue:{queue}");

    internal void Forget(string queue) => _queues.TryRemove(queue, out _);

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;

    /// <summary>The queue of a RabbitMQ input address (<c>rabbitmq://host/vhost/queue?args</c>); null for a temporary one.</summary>
    public static string? QueueName(Uri inputAddress)
    {
        var query = inputAddress.Query;
        if (query.Contains("temporary=true", StringComparison.OrdinalIgnoreCase)
            || query.Contains("autodelete=true", StringComparison.OrdinalIgnoreCase)
            || query.Contains("durable=false", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var name = inputAddress.AbsolutePath.TrimEnd('/');
        name = Uri.UnescapeDataString(name[(name.LastIndexOf('/') + 1)..]);
        return name.Length == 0 ? null : name;
    }
}
