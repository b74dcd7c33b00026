using System.Text.Json.Serialization;

namespace Pipeline.Contracts;

/// <summary>
/// Kind of supervised problem a job solves. Written as a word in every JSON (API answers, messages, stored specs),
/// the word the CLI and object metadata use; numbers are still read, for specs stored before.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<TaskKind>))]
public enum TaskKind
{
    /// <summary>Inferred from the target column's values.</summary>
    [JsonStringEnumMemberName("auto")]
    Auto = 0,

    [JsonStringEnumMemberName("regression")]
    Regression = 1,

    [JsonStringEnumMemberName("classification")]
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

    /// <summary>
    /// Deploy the trained model to production even when it does not beat the trivial predictor or falls behind the
    /// baseline beyond the tolerance (the version-to-version gate still applies). Off by default.
    /// </summary>
    public bool ForceDeploy { get; init; }

    /// <summary>
    /// Set by Ingest when it resolves the spec: every training setting with its value and why it has it (chosen by
    /// the automatic plan from the data size, or given by the job). Null in a spec as submitted.
    /// </summary>
    public IReadOnlyList<PlanChoice>? Plan { get; init; }

    /// <summary>
    /// Who submitted the job: set by Ingest's submit API from the authenticated caller (whatever a client sends is
    /// replaced); null for files dropped into the bucket. A submitter may cancel only its own jobs.
    /// </summary>
    public string? SubmittedBy { get; init; }

    /// <summary>
    /// The job this one retrains (<c>pipeline retrain</c>, the dashboard's Retrain): part of what the job is, so a
    /// retrain with unchanged settings is still a new job rather than the old one found again.
    /// </summary>
    public Guid? RetrainOf { get; init; }
}

/// <summary>One resolved training setting: its value, and whether the job gave it or the plan chose it and why.</summary>
public sealed record PlanChoice(string Setting, string Value, bool Automatic, string Reason);

/// <summary>
/// Training hyper-parameters of a job. Bounds are checked by Ingest before a job starts. The settings whose default
/// is <see cref="Auto"/> (shards, rounds, local epochs, batch size, learning rate, patience, minimum epochs) are
/// chosen by Ingest's automatic plan from the data size unless the job sets them; a resolved spec has them all set.
/// </summary>
public sealed record TrainingSettings
{
    /// <summary>The value of a setting the automatic plan chooses (-1 for <see cref="Patience"/>, where 0 means "never stop early").</summary>
    public const int Auto = 0;

    /// <summary>Number of shards the training split is partitioned into (K).</summary>
    public int Shards { get; init; } = Auto;

    /// <summary>Most rounds of local training followed by a merge (R); training usually stops earlier (<see cref="Patience"/>).</summary>
    public int Rounds { get; init; } = Auto;

    /// <summary>Passes each worker makes over its shard per round.</summary>
    public int LocalEpochs { get; init; } = Auto;

    public int BatchSize { get; init; } = Auto;

    /// <summary>Hidden layer widths, e.g. [64] for the seed's Dense(64, relu) -> Dense(1).</summary>
    public IReadOnlyList<int> HiddenLayers { get; init; } = [64];

    public string Activation { get; init; } = "relu";

    /// <summary>
    /// Starting weights: auto (Glorot), he, glorot, or fan-in
    /// (PyTorch's default: weights and biases uniform in ±1/sqrt(inputs)).
    /// </summary>
    public string Initialisation { get; init; } = "auto";

    /// <summary>sgd, momentum, nesterov, adam or adamw.</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>The starting learning rate (0: auto); the schedule lowers it when validation stops improving.</summary>
    public double LearningRate { get; init; } = Auto;

    /// <summary>
    /// Weight decay: an L2 penalty added to the gradient (sgd, momentum, nesterov, adam, as PyTorch's optimizers do)
    /// or AdamW's decoupled decay rate; 0 disables it; -1 (default) lets the plan choose.
    /// </summary>
    public double WeightDecay { get; init; } = -1;

    /// <summary>
    /// What the optimizer (Adam moments, momentum) starts each round from: averaged (the sample-weighted mean of the
    /// shards' states after the previous round, like the parameters) or reset (fresh every round, the default: it
    /// measured better with several shards, see docs/TRAINING.md).
    /// </summary>
    public string OptimizerState { get; init; } = "reset";

    /// <summary>
    /// How the merger combines a round's shard models (docs/TRAINING.md, "Convergence with K shards"): fedavg (the
    /// sample-weighted mean), fedavgm (server momentum on the round's update) or fedadam (an Adam step on it);
    /// auto lets the plan choose (fedavg for one shard).
    /// </summary>
    public string Merge { get; init; } = "auto";

    /// <summary>The server's learning rate on the round's update (fedavgm, fedadam); 0: auto.</summary>
    public double ServerLearningRate { get; init; } = Auto;

    /// <summary>The server's momentum (fedavgm's μ, fedadam's β₁); -1: auto.</summary>
    public double ServerMomentum { get; init; } = -1;

    /// <summary>
    /// Epochs (passes over the training split) without improvement of the validation loss before training stops
    /// and the best checkpoint is kept; 0 never stops early; -1 (default) lets the plan choose.
    /// </summary>
    public int Patience { get; init; } = -1;

    /// <summary>Epochs trained before early stopping may end training (0: auto).</summary>
    public int MinEpochs { get; init; } = Auto;

    /// <summary>
    /// plateau (halve the learning rate after half the patience without improvement) or constant; auto picks plateau.
    /// </summary>
    public string LearningRateSchedule { get; init; } = "auto";

    public int Seed { get; init; } = 42;
}
