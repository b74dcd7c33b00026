namespace Pipeline.Platform.Persistence;

/// <summary>What happens to a saga instance once its state machine reaches Final (and is set completed).</summary>
public enum FinalizedSagaPolicy
{
    /// <summary>The row is deleted.</summary>
    Delete,

    /// <summary>The row is kept in its final state (for history, dashboards and audits).</summary>
    Archive,
}

public sealed class SagaPersistenceOptions<TSaga>
{
    public FinalizedSagaPolicy Finalized { get; set; } = FinalizedSagaPolicy.Delete;
}
