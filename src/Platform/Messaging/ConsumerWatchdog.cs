using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Platform.Messaging;

/// <summary>
/// Makes sure every queue this process consumes from still has a consumer while the broker is up. MassTransit
/// reconnects after a broker restart or a dropped connection, but now and then one receive endpoint does not
/// re-attach its consumer, and the bus reports itself healthy all the while (seen here after
/// <c>rabbitmqctl stop_app/start_app</c>: a job waited in Deploying with its command in a queue nobody read;
/// upstream reports: MassTransit issues 5692 and 6095). Two ways were seen: the endpoint keeps retrying a dead
/// connection, or it never learns that its channel closed. So the watchdog asks the broker:
/// <list type="number">
/// <item>a queue without any consumer for <see cref="RabbitMqOptions.ConsumerMissingLimit"/> while the broker answers
/// gets this process's connection closed from the broker's side (management API), the fault MassTransit recovers from
/// best: every endpoint is declared and consumed again;</item>
/// <item>a queue still without a consumer after twice the limit makes <c>/health/live</c> fail (and a critical log
/// line), so the supervisor (Kubernetes, compose, systemd) restarts the service.</item>
/// </list>
/// Messages wait in their durable queues meanwhile; nothing is lost. A queue that another process consumes has a
/// consumer and is left alone.
/// </summary>
internal sealed partial class ConsumerWatchdog(
    ReceiveQueues queues,
    BusConnectionName connectionName,
    IOptions<RabbitMqOptions> options,
    TimeProvider clock,
    ILogger<ConsumerWatchdog> logger) : BackgroundService
{
    private readonly Dictionary<string, DateTimeOffset> _missingSince = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reconnectedFor = new(StringComparer.Ordinal);
    private volatile string[] _stuck = [];

    /// <summary>How many times the watchdog closed the bus's connection.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Queues still without a consumer after the reconnect: this process needs a restart.</summary>
    public IReadOnlyList<string> StuckQueues => _stuck;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (o.ConsumerCheckInterval <= TimeSpan.Zero)
        {
            return;
        }

        var factory = RabbitMqPreflight.ConnectionFactoryFor(o);
        IConnection? connection = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(o.ConsumerCheckInterval, clock, stoppingToken);
                try
                {
                    connection = connection is { IsOpen: true } ? connection : await Open(factory, connection, stoppingToken);
                    await Check(connection, o, stoppingToken);
                }
                catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException or IOException or TimeoutException)
                {
                    // The broker is away: MassTransit's own reconnecting is under way, and a queue without a consumer
                    // counts only from when the broker answers again, with its reconnect chance renewed.
                    _missingSince.Clear();
                    _reconnectedFor.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static async Task<IConnection> Open(ConnectionFactory factory, IConnection? old, CancellationToken cancellationToken)
    {
        if (old is not null)
        {
            await old.DisposeAsync();
        }

        return await factory.CreateConnectionAsync("pipeline-consumer-watchdog", cancellationToken);
    }

    private async Task Check(IConnection connection, RabbitMqOptions o, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var watched = queues.Names;
        var stuck = new List<string>();
        string? reconnectFor = null;
        foreach (var gone in _missingSince.Keys.Except(watched, StringComparer.Ordinal).ToList())
        {
            _missingSince.Remove(gone);
            _reconnectedFor.Remove(gone);
        }

        foreach (var queue in watched)
        {
            if (await ConsumerCount(connection, queue, cancellationToken) > 0)
            {
                _missingSince.Remove(queue);
                _reconnectedFor.Remove(queue);
                continue;
            }

            if (!_missingSince.TryGetValue(queue, out var since))
            {
                _missingSince[queue] = now;
                LogNoConsumer(queue);
            }
            else if (now - since >= 2 * o.ConsumerMissingLimit && _reconnectedFor.Contains(queue))
            {
                stuck.Add(queue);
            }
            else if (now - since >= o.ConsumerMissingLimit && !_reconnectedFor.Contains(queue))
            {
                reconnectFor ??= queue;
            }
        }

        if (stuck.Count > 0 && _stuck.Length == 0)
        {
            LogStuck(string.Join(", ", stuck), (now - _missingSince[stuck[0]]).TotalSeconds);
        }

        _stuck = [.. stuck];
        if (reconnectFor is not null)
        {
            await Reconnect(reconnectFor, o, cancellationToken);
        }
    }

    /// <summary>Consumers of the queue as the broker counts them; 0 when the queue is gone (deleted, or lost with its node).</summary>
    private static async Task<uint> ConsumerCount(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes its channel (404), so each queue gets a channel of its own.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).ConsumerCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    /// <summary>Closes the bus's connection from the broker's side; every queue then missing gets this one chance.</summary>
    private async Task Reconnect(string queue, RabbitMqOptions o, CancellationToken cancellationToken)
    {
        var management = new BrokerManagement(o);
        if (!management.Available)
        {
            MarkReconnected();
            return;
        }

        LogReconnecting(queue, o.ConsumerMissingLimit.TotalSeconds, connectionName.Value);
        try
        {
            // The management API lists a new connection a few seconds late: none found means try again next time.
            var closed = await management.CloseConnections(connectionName.Value, cancellationToken);
            LogReconnected(closed);
            if (closed > 0)
            {
                Reconnects++;
                MarkReconnected();
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            LogManagementFailed(ex, o.ManagementPort);
        }
    }

    private void MarkReconnected()
    {
        foreach (var missing in _missingSince.Keys)
        {
            _reconnectedFor.Add(missing);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue} has no consumer although RabbitMQ answers; watching whether MassTransit re-attaches one")]
    private partial void LogNoConsumer(string queue);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue} has had no consumer for {Seconds:0} s although RabbitMQ answers (MassTransit did not re-attach it): closing this process's broker connection {Connection} so that every endpoint reconnects; messages wait in their queues meanwhile")]
    private partial void LogReconnecting(string queue, double seconds, string connection);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer watchdog closed {Count} broker connection(s); MassTransit is reconnecting")]
    private partial void LogReconnected(int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Queue(s) {Queues} have had no consumer for {Seconds:0} s although RabbitMQ answers, and reconnecting did not bring one back: /health/live fails so that this service is restarted")]
    private partial void LogStuck(string queues, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Consumer watchdog could not reach RabbitMQ's management API on port {Port} (Pipeline:RabbitMq:ManagementPort); will try again")]
    private partial void LogManagementFailed(Exception exception, ushort port);
}
