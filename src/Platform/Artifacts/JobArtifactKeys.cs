namespace Pipeline.Platform.Artifacts;

/// <summary>
/// The one place a job's object keys are made (docs/DESIGN.md, "Object layout"): everything of a job lives under
/// <c>{job:N}/</c> in the jobs bucket: <c>prep/</c> (shards, validation and test splits, transform, profile) from
/// Preprocess and <c>rounds/{r}/</c> (shard models and the merged model) from training.
/// </summary>
public static class JobArtifactKeys
{
    /// <summary>The default jobs bucket (<c>Pipeline:Preprocess:Bucket</c> may name another for the prep outputs).</summary>
    public const string Bucket = "jobs";

    /// <summary>Prefix of everything a job stores.</summary>
    public static string Job(Guid job) => $"{job:N}/";

    /// <summary>A Preprocess output, e.g. <c>shard-0000.bin</c>, <c>transform.json</c>.</summary>
    public static string Prep(Guid job, string file) => $"{Job(job)}prep/{file}";

    public static string ShardModel(Guid job, int round, int shard) => $"{Job(job)}rounds/{round}/shard-{shard}.model";

    /// <summary>The optimizer state a shard's training ended with (Adam moments and step count).</summary>
    public static string ShardOptimizer(Guid job, int round, int shard) => $"{Job(job)}rounds/{round}/shard-{shard}.optimizer";

    /// <summary>The sample-weighted mean of a round's shard optimizer states: where the next round's training starts.</summary>
    public static string MergedOptimizer(Guid job, int round) => $"{Job(job)}rounds/{round}/merged.optimizer";

    /// <summary>The server optimizer's buffers after a round's merge (fedavgm's momentum, fedadam's moments).</summary>
    public static string ServerOptimizer(Guid job, int round) => $"{Job(job)}rounds/{round}/merged.server-optimizer";

    /// <summary>The merged model of a round: the job's checkpoint after that round.</summary>
    public static string MergedModel(Guid job, int round) => $"{Job(job)}rounds/{round}/merged.model";
}
