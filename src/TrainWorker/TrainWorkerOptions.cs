namespace Pipeline.TrainWorker;

/// <summary>Bound from <c>Pipeline:TrainWorker</c>.</summary>
public sealed class TrainWorkerOptions
{
    public const string Section = "Pipeline:TrainWorker";

    /// <summary>Memory for shards kept between rounds (default 2 GiB).</summary>
    public long ShardCacheBytes { get; set; } = 2L << 30;

    /// <summary>Name reported in ShardTrained (which worker trained what); defaults to host and process id.</summary>
    public string? WorkerName { get; set; }

    public string Name => WorkerName ?? $"{Environment.MachineName}/{Environment.ProcessId}";
}
