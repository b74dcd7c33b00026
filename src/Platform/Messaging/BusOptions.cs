namespace Pipeline.Platform.Messaging;

/// <summary>Bound from <c>Pipeline</c> (Transport) and <c>Pipeline:Bus</c>.</summary>
public sealed class BusOptions
{
    public const string Section = "Pipeline:Bus";

    /// <summary>Default limit on messages one endpoint processes at once.</summary>
    public int ConcurrencyLimit { get; set; } = 8;

    /// <summary>Per-endpoint overrides, keyed by queue name (e.g. <c>train-shard: 1</c> so a worker takes one shard at a time).</summary>
    public Dictionary<string, int> EndpointConcurrency { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Retries of a failed message with exponential back-off before it moves to the endpoint's error queue.</summary>
    public int RetryLimit { get; set; } = 5;

    public TimeSpan RetryMinInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Redeliveries of a message whose immediate retries are spent, through the durable scheduler (the message is
    /// acknowledged and sent again later, so nothing is held in memory and a restart loses nothing). Each
    /// redelivery runs the immediate retries again. 0 turns redelivery off: the message faults after its retries.
    /// </summary>
    public int RedeliveryLimit { get; set; } = 4;

    /// <summary>Wait before the first redelivery; each next one waits twice as long, up to <see cref="RedeliveryMaxInterval"/>.</summary>
    public TimeSpan RedeliveryMinInterval { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan RedeliveryMaxInterval { get; set; } = TimeSpan.FromMinutes(8);

    /// <summary>
    /// How long a message that failed while a dependency (the database, the object store) does not answer is held in
    /// process waiting for it, per outage (<see cref="Outages.DependencyOutageWait"/>): about the whole redelivery
    /// budget, which for the database cannot be used at all (the scheduler keeps redeliveries there).
    /// </summary>
    public TimeSpan OutageWait { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often a held message checks whether its dependency answers again.</summary>
    public TimeSpan OutageProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The waits between redeliveries: with the defaults 1, 2, 4 and 8 minutes (15 minutes in all).</summary>
    public TimeSpan[] RedeliveryIntervals() =>
        [.. Enumerable.Range(0, Math.Max(0, RedeliveryLimit))
            .Select(i => TimeSpan.FromTicks(Math.Min(RedeliveryMaxInterval.Ticks, RedeliveryMinInterval.Ticks * (1L << Math.Min(i, 30)))))];

    public int ConcurrencyFor(string endpoint) =>
        EndpointConcurrency.TryGetValue(endpoint, out var limit) && limit > 0 ? limit : ConcurrencyLimit;
}

/// <summary>Bound from <c>Pipeline:RabbitMq</c>. The password comes from configuration or the environment only.</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "Pipeline:RabbitMq";

    public string Host { get; set; } = "127.0.0.1";

    public ushort Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    public string Username { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>Shown in RabbitMQ's management UI for this process's connection; defaults to the process name.</summary>
    public string? ConnectionName { get; set; }

    /// <summary>
    /// AMQP heartbeat interval asked of the broker (the lower of this and the broker's <c>heartbeat</c> wins); unset
    /// keeps MassTransit's default. A peer that goes silent (host down, link cut) is dropped after about two
    /// missed heartbeats, and only then does the broker hand that peer's unacknowledged messages (a shard in
    /// training) to another consumer. Short values (a few seconds) suit test rigs and flaky links; each heartbeat is
    /// a tiny frame per connection.
    /// </summary>
    public TimeSpan? Heartbeat { get; set; }

    /// <summary>How long start-up waits for an unreachable broker before giving up with a clear error.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Declare receive endpoints as quorum queues (replicated across a RabbitMQ cluster) instead of classic queues.
    /// Off by default (the local single-node stack); the compose and Kubernetes files turn it on. A queue keeps the
    /// type it was declared with: switching an existing vhost means deleting its queues first (RabbitMQ answers 406
    /// PRECONDITION_FAILED on <c>x-queue-type</c> otherwise).
    /// </summary>
    public bool QuorumQueues { get; set; }

    /// <summary>
    /// Connect with TLS (AMQPS). Off by default (the local stack's broker speaks plain AMQP on 5672). RabbitMQ's TLS
    /// listener is usually port 5671: set <see cref="Port"/> too. The server certificate is verified, host name
    /// included (against <see cref="TlsServerName"/>, else <see cref="Host"/>), by the system's trusted roots or by
    /// <see cref="CaCertificatePath"/>.
    /// </summary>
    public bool UseTls { get; set; }

    /// <summary>The name the broker's certificate must carry when it differs from <see cref="Host"/> (e.g. Host is an IP address); unset: Host.</summary>
    public string? TlsServerName { get; set; }

    /// <summary>A PEM file of the CA certificates that signed the broker's certificate (a private CA); unset: the system's trust store.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>
    /// How often the consumer watchdog asks the broker whether each queue this process consumes still has a consumer
    /// (docs/RELIABILITY.md). Zero turns the watchdog off.
    /// </summary>
    public TimeSpan ConsumerCheckInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long one of this process's queues may go without any consumer while the broker answers before the watchdog
    /// closes the bus's connection (and, after twice this, fails liveness). Longer than MassTransit's own reconnect
    /// back-off, which grows to 30 s between attempts after repeated faults.
    /// </summary>
    public TimeSpan ConsumerMissingLimit { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Port of the broker's management API (HTTP, HTTPS with <see cref="UseTls"/>) on <see cref="Host"/>. The consumer
    /// watchdog uses it to close this process's connection when a queue has lost its consumer, which makes
    /// MassTransit rebuild every endpoint. Zero: no management API; the watchdog then only reports (log, health).
    /// </summary>
    public ushort ManagementPort { get; set; } = 15672;

    public string EffectiveTlsServerName => string.IsNullOrWhiteSpace(TlsServerName) ? Host : TlsServerName;

    public string Address => $"{(UseTls ? "amqps" : "amqp")}://{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}";
}

public enum TransportKind
{
    InMemory,
    RabbitMq,
}
