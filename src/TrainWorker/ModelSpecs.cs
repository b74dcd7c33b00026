using Pipeline.Contracts;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Training;

namespace Pipeline.TrainWorker;

/// <summary>Translates a job's settings into the engine's network and trainer settings, the same way everywhere.</summary>
public static class ModelSpecs
{
    public static NetworkSpec Network(int features, int outputs, TaskKind task, TrainingSettings settings) =>
        new(features, settings.HiddenLayers, ParseActivation(settings.Activation), outputs, OutputKindOf(task, outputs));

    public static OutputKind OutputKindOf(TaskKind task, int outputs) => task switch
    {
        TaskKind.Classification => OutputKind.MulticlassClassification,
        _ when outputs == 1 => OutputKind.Regression,
        _ => throw new ArgumentException($"A regression model has one output, not {outputs}."),
    };

    public static LossKind LossOf(TaskKind task) =>
        task == TaskKind.Classification ? LossKind.SoftmaxCrossEntropy : LossKind.MeanSquaredError;

    /// <summary>
    /// Local training of one shard in one round. The shuffling seed is derived from (job seed, round, shard) so every
    /// shard sees its own order, and retraining the same (round, shard) anywhere gives the same bits.
    /// </summary>
    public static TrainerSettings Trainer(TrainingSettings settings, TaskKind task, int round, int shard) => new()
    {
        Loss = LossOf(task),
        Optimizer = settings.Optimizer.ToLowerInvariant() switch
        {
            "adam" => OptimizerKind.Adam,
            "adamw" => OptimizerKind.AdamW,
            "sgd" or "momentum" or "nesterov" => OptimizerKind.Sgd,
            var other => throw new ArgumentException($"Unknown optimizer '{other}'; use sgd, momentum, nesterov, adam or adamw."),
        },
        Momentum = settings.Optimizer.ToLowerInvariant() is "momentum" or "nesterov" ? 0.9f : 0f,
        Nesterov = settings.Optimizer.Equals("nesterov", StringComparison.OrdinalIgnoreCase),
        LearningRate = (float)settings.LearningRate,
        // A spec resolved before the setting existed reads as auto (-1): it trained without decay.
        WeightDecay = (float)Math.Max(0, settings.WeightDecay),
        BatchSize = settings.BatchSize,
        Epochs = settings.LocalEpochs,
        Seed = SeedFor(settings.Seed, round, shard),
    };

    /// <summary>
    /// The merge's server optimizer; plain averaging for a message without settings or a spec resolved before the
    /// setting existed (auto: server learning rate 1, momentum 0).
    /// </summary>
    public static ServerOptimizerSettings ServerOptimizer(TrainingSettings? settings)
    {
        if (settings is null)
        {
            return new ServerOptimizerSettings(ServerOptimizerKind.FedAvg);
        }

        var kind = settings.Merge.ToLowerInvariant() switch
        {
            "auto" or "fedavg" => ServerOptimizerKind.FedAvg,
            "fedavgm" => ServerOptimizerKind.FedAvgM,
            "fedadam" => ServerOptimizerKind.FedAdam,
            var other => throw new ArgumentException($"Unknown merge '{other}'; use fedavg, fedavgm or fedadam."),
        };
        return new ServerOptimizerSettings(
            kind,
            settings.ServerLearningRate > 0 ? settings.ServerLearningRate : 1,
            settings.ServerMomentum >= 0 ? settings.ServerMomentum : 0);
    }

    public static ulong InitialSeed(TrainingSettings settings) => (ulong)(uint)settings.Seed;

    public static WeightInitialisation InitialisationOf(TrainingSettings settings) => settings.Initialisation.ToLowerInvariant() switch
    {
        "auto" => WeightInitialisation.Auto,
        "he" => WeightInitialisation.He,
        "glorot" => WeightInitialisation.Glorot,
        "fan-in" => WeightInitialisation.FanIn,
        var other => throw new ArgumentException($"Unknown init '{other}'; use auto, he, glorot or fan-in."),
    };

    private static ulong SeedFor(int seed, int round, int shard) =>
        unchecked(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)round << 32) ^ (ulong)(uint)shard);

    private static Activation ParseActivation(string name) => name.ToLowerInvariant().Replace("_", "", StringComparison.Ordinal) switch
    {
        "identity" or "linear" => Activation.Identity,
        "relu" => Activation.Relu,
        "leakyrelu" => Activation.LeakyRelu,
        "tanh" => Activation.Tanh,
        "sigmoid" => Activation.Sigmoid,
        "gelu" => Activation.Gelu,
        _ => throw new ArgumentException($"Unknown activation '{name}'; use identity, relu, leaky_relu, tanh, sigmoid or gelu."),
    };
}
