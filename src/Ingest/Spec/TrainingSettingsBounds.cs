using Pipeline.Contracts;

namespace Pipeline.Ingest.Spec;

/// <summary>
/// Allowed ranges of the training settings, checked before a job starts so a typo fails in seconds with the
/// allowed range instead of hours later in a worker.
/// </summary>
public static class TrainingSettingsBounds
{
    public const int MaxShards = 1024;
    public const int MaxRounds = 10_000;
    public const int MaxLocalEpochs = 1000;
    public const int MaxBatchSize = 1 << 16;
    public const int MaxHiddenLayers = 16;
    public const int MaxLayerWidth = 8192;
    public const double MinLearningRate = 1e-7;
    public const double MaxLearningRate = 1.0;
    public const int MaxPatience = 1000;

    /// <summary>With learning rates up to 1, AdamW's per-step shrink 1 − rate · decay stays in [0, 1]: it never flips a weight's sign.</summary>
    public const double MaxWeightDecay = 1.0;

    public static readonly IReadOnlyList<string> Activations = ["relu", "tanh", "sigmoid", "linear", "leakyrelu", "gelu"];
    public static readonly IReadOnlyList<string> Optimizers = ["sgd", "momentum", "nesterov", "adam", "adamw"];
    public static readonly IReadOnlyList<string> Initialisations = ["auto", "he", "glorot", "fan-in"];
    public static readonly IReadOnlyList<string> LearningRateSchedules = ["auto", "plateau", "constant"];
    public static readonly IReadOnlyList<string> OptimizerStates = ["averaged", "reset"];
    public static readonly IReadOnlyList<string> Merges = ["auto", "fedavg", "fedavgm", "fedadam"];
    public const double MaxServerLearningRate = 10;

    /// <summary>Every out-of-range setting, each with its allowed range; empty when all are valid.</summary>
    public static IReadOnlyList<string> Check(TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<string>();
        // 0 (patience: -1) is "auto": the plan chooses it from the data size.
        Range(errors, "shards", settings.Shards, 1, MaxShards, TrainingSettings.Auto);
        Range(errors, "rounds", settings.Rounds, 1, MaxRounds, TrainingSettings.Auto);
        Range(errors, "epochs", settings.LocalEpochs, 1, MaxLocalEpochs, TrainingSettings.Auto);
        Range(errors, "batch-size", settings.BatchSize, 1, MaxBatchSize, TrainingSettings.Auto);
        Range(errors, "patience", settings.Patience, 0, MaxPatience, -1);
        Range(errors, "min-epochs", settings.MinEpochs, 1, MaxRounds * MaxLocalEpochs, TrainingSettings.Auto);
        if (!OptimizerStates.Contains(settings.OptimizerState, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"optimizer-state '{settings.OptimizerState}' is not known; allowed: {string.Join(", ", OptimizerStates)}.");
        }

        if (!Merges.Contains(settings.Merge, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"merge '{settings.Merge}' is not known; allowed: {string.Join(", ", Merges)}.");
        }

        // Auto is 0 for the server learning rate and -1 for the momentum (0 is a real momentum: none).
        if (settings.ServerLearningRate != TrainingSettings.Auto && !(settings.ServerLearningRate > 0 && settings.ServerLearningRate <= MaxServerLearningRate))
        {
            errors.Add($"server-lr = {settings.ServerLearningRate} is out of range; allowed above 0 up to {MaxServerLearningRate} (or auto).");
        }

        if (settings.ServerMomentum != -1 && !(settings.ServerMomentum >= 0 && settings.ServerMomentum < 1))
        {
            errors.Add($"server-momentum = {settings.ServerMomentum} is out of range; allowed 0 up to (not including) 1 (or auto).");
        }

        if (!LearningRateSchedules.Contains(settings.LearningRateSchedule, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"lr-schedule '{settings.LearningRateSchedule}' is not known; allowed: {string.Join(", ", LearningRateSchedules)}.");
        }
        if (settings.HiddenLayers.Count > MaxHiddenLayers)
        {
            errors.Add($"hidden-layers has {settings.HiddenLayers.Count} layers; allowed 0..{MaxHiddenLayers}.");
        }

        for (var i = 0; i < settings.HiddenLayers.Count; i++)
        {
            if (settings.HiddenLayers[i] is < 1 or > MaxLayerWidth)
            {
                errors.Add($"hidden-layers[{i}] (layer size) = {settings.HiddenLayers[i]} is out of range; allowed 1..{MaxLayerWidth}.");
            }
        }

        if (settings.LearningRate != TrainingSettings.Auto && !(settings.LearningRate >= MinLearningRate && settings.LearningRate <= MaxLearningRate))
        {
            errors.Add($"learning-rate = {settings.LearningRate} is out of range; allowed {MinLearningRate}..{MaxLearningRate} (or 0 for auto).");
        }

        if (settings.WeightDecay != -1 && !(settings.WeightDecay >= 0 && settings.WeightDecay <= MaxWeightDecay))
        {
            errors.Add($"weight-decay = {settings.WeightDecay} is out of range; allowed 0..{MaxWeightDecay} (0: none), or auto.");
        }

        if (!Activations.Contains(settings.Activation, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"activation '{settings.Activation}' is not known; allowed: {string.Join(", ", Activations)}.");
        }

        if (!Optimizers.Contains(settings.Optimizer, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"optimizer '{settings.Optimizer}' is not known; allowed: {string.Join(", ", Optimizers)}.");
        }

        if (!Initialisations.Contains(settings.Initialisation, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"init '{settings.Initialisation}' is not known; allowed: {string.Join(", ", Initialisations)}.");
        }

        return errors;
    }

    private static void Range(List<string> errors, string name, int value, int min, int max, int auto)
    {
        if (value != auto && (value < min || value > max))
        {
            errors.Add($"{name} = {value} is out of range; allowed {min}..{max}, or {auto} for the automatic plan.");
        }
    }
}
