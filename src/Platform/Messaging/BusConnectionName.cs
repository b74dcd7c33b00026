namespace Pipeline.Platform.Messaging;

/// <summary>
/// The name this process's bus gives its broker connection (shown in RabbitMQ's management UI): the configured
/// <c>Pipeline:RabbitMq:ConnectionName</c>, else the process and machine names with a short id, so that two buses of
/// one process (tests host several) or two replicas of one service can be told apart and one closed alone.
/// </summary>
public sealed record BusConnectionName(string Value)
{
    public static BusConnectionName From(RabbitMqOptions o) =>
        new(o.ConnectionName ?? $"{AppDomain.CurrentDomain.FriendlyName}@{Environment.MachineName}#{Guid.NewGuid().ToString("N")[..6]}");
}
