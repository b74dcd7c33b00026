namespace Pipeline.TrainWorker;

/// <summary>Where a job's training artifacts live: bucket <c>jobs</c>, keys <c>{job}/rounds/{r}/...</c> (DESIGN.md).</summary>
public static class JobArtifacts
{
    public const string Bucket = "jobs";

    public static string ShardModel(Guid job, int round, int shard) => $"{job:N}/rounds/{round}/shard-{shard}.model";

    /// <summary>The merged model of a round: the job's checkpoint after that round.</summary>
    public static string MergedModel(Guid job, int round) => $"{job:N}/rounds/{round}/merged.model";
}
