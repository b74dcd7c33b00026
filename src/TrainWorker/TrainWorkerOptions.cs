namespace Pipeline.TrainWorker;

/// <summary>Bound from <c>Pipeline:TrainWorker</c>.</summary>
public sealed class TrainWorkerOptions
{
    public const string Section = "Pipeline:TrainWorker";

    /// <summary>Memory for shards kept between rounds (default 2 GiB).</summary>
    public long ShardCacheBytes { get; set; } = 2L << 30;

    /// <summary>Name reported in ShardTrained (which worker trained what); defaults to host and process id.</summary>
    public string? WorkerName { get; set; }

    /// <summary>
    /// A shard still training after this long is abandoned and reported failed. It must stay below the broker's
    /// delivery acknowledgement timeout (RabbitMQ <c>consumer_timeout</c>, 4 h in our stack, 30 min by default),
    /// otherwise the broker would hand the same shard to a second worker while the first is still on it.
    /// </summary>
    public TimeSpan MaxShardDuration { get; set; } = TimeSpan.FromHours(3);

    public string Name => WorkerName ?? $"{Environment.MachineName}/{Environment.ProcessId}";
}
