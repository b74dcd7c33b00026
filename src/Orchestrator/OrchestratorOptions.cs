namespace Pipeline.Orchestrator;

/// <summary>Bound from <c>Pipeline:Orchestrator</c>.</summary>
public sealed class OrchestratorOptions
{
    public const string Section = "Pipeline:Orchestrator";

    /// <summary>
    /// How long a round may take before the shards still missing are sent again. Generous: it bounds the damage of
    /// a lost worker, it is not a performance target.
    /// </summary>
    public TimeSpan RoundTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Sends of one shard in one round (first try included) before the job fails.</summary>
    public int MaxShardAttempts { get; set; } = 3;
}
