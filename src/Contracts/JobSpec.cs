namespace Pipeline.Contracts;

/// <summary>Kind of supervised problem a job solves.</summary>
public enum TaskKind
{
    /// <summary>Inferred from the target column's values.</summary>
    Auto = 0,
    Regression = 1,
    Classification = 2,
}

/// <summary>
/// What the user asked for. Every field is optional: absent ones take the documented defaults when
/// Ingest resolves the spec, and the resolved spec travels with the job from then on.
/// </summary>
public sealed record JobSpec
{
    /// <summary>Name the model is registered under; defaults to the file name without extension.</summary>
    public string? ModelName { get; init; }

    /// <summary>Target column; defaults to the last column.</summary>
    public string? Target { get; init; }

    public TaskKind Task { get; init; } = TaskKind.Auto;

    public TrainingSettings Training { get; init; } = new();
}

/// <summary>Training hyper-parameters of a job. Bounds are checked by Ingest before a job starts.</summary>
public sealed record TrainingSettings
{
    /// <summary>Number of shards the training split is partitioned into (K).</summary>
    public int Shards { get; init; } = 4;

    /// <summary>Rounds of local training followed by a merge (R).</summary>
    public int Rounds { get; init; } = 10;

    /// <summary>Passes each worker makes over its shard per round.</summary>
    public int LocalEpochs { get; init; } = 1;

    public int BatchSize { get; init; } = 256;

    /// <summary>Hidden layer widths, e.g. [64] for the seed's Dense(64, relu) -> Dense(1).</summary>
    public IReadOnlyList<int> HiddenLayers { get; init; } = [64];

    public string Activation { get; init; } = "relu";

    /// <summary>
    /// Starting weights: auto (He for the relu family and gelu, Glorot otherwise), he, glorot, or fan-in
    /// (PyTorch's default: weights and biases uniform in ±1/sqrt(inputs)).
    /// </summary>
    public string Initialisation { get; init; } = "auto";

    /// <summary>sgd, momentum, nesterov, adam or adamw.</summary>
    public string Optimizer { get; init; } = "adam";

    public double LearningRate { get; init; } = 0.001;

    /// <summary>Rounds without improvement of the validation metric before stopping early; 0 disables.</summary>
    public int Patience { get; init; } = 3;

    public int Seed { get; init; } = 42;
}
