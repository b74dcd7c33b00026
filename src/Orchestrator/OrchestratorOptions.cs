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

    /// <summary>
    /// Sends of one shard in one round (first try included) before the job fails: a shard its worker reported failed,
    /// a shard whose message faulted after its redeliveries, and a shard still missing at the round timeout.
    /// </summary>
    public int MaxShardAttempts { get; set; } = 3;

    // Deadlines of the other states (Training has the round timeout). Each is longer than the bus's whole
    // retry-and-redelivery budget (about 18 min by default, Pipeline:Bus), so an outage that redelivery waits out
    // never reaches it; it catches what nothing else reports (a message lost, a consumer that never answers).

    /// <summary>Validating: Ingest checks and registers the data set (a pass over the file).</summary>
    public TimeSpan ValidatingDeadline { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Preprocessing: cleaning, fitting the transforms and writing the shards of the whole file.</summary>
    public TimeSpan PreprocessingDeadline { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Merging: averaging K models and evaluating the average on the validation split.</summary>
    public TimeSpan MergingDeadline { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Deploying: test evaluation, the baseline, the ONNX export and the quality gate.</summary>
    public TimeSpan DeployingDeadline { get; set; } = TimeSpan.FromMinutes(30);
}
