using System.Globalization;
using Pipeline.Contracts;

namespace Pipeline.Ingest.Spec;

/// <summary>
/// Reads a job spec from an object's user metadata (S3 <c>x-amz-meta-*</c>, so ASCII values), e.g.
/// <c>target=price task=regression shards=8 hidden-layers=64,32 learning-rate=0.001</c>. Keys not given keep the
/// spec's defaults. The same keys are what <c>pipeline submit --set key=value</c> will use.
/// </summary>
public static class JobSpecMetadata
{
    /// <summary>The metadata keys understood, for documentation and error messages.</summary>
    public static readonly IReadOnlyList<string> Keys =
        ["model", "target", "task", "shards", "rounds", "epochs", "batch-size", "hidden-layers", "activation", "init", "optimizer", "learning-rate", "weight-decay", "lr-schedule", "optimizer-state", "merge", "server-lr", "server-momentum", "patience", "min-epochs", "seed", "force-deploy", "retrain-of"];

    /// <summary>Parses what it can; every value that cannot be read is reported (with the key and the value).</summary>
    public static (JobSpec Spec, IReadOnlyList<string> Errors) Parse(IReadOnlyDictionary<string, string> metadata, JobSpec? baseSpec = null)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var spec = baseSpec ?? new JobSpec();
        var t = spec.Training;
        var errors = new List<string>();
        foreach (var (rawKey, rawValue) in metadata)
        {
            var key = rawKey.Trim().ToLowerInvariant();
            var value = rawValue.Trim();
            switch (key)
            {
                case "model":
                    spec = spec with { ModelName = value };
                    break;
                case "target":
                    spec = spec with { Target = value };
                    break;
                case "task":
                    if (Enum.TryParse<TaskKind>(value, ignoreCase: true, out var task) && Enum.IsDefined(task) && !int.TryParse(value, out _))
                    {
                        spec = spec with { Task = task };
                    }
                    else
                    {
                        errors.Add($"task '{value}' is not known; allowed: regression, classification, auto.");
                    }

                    break;
                case "shards": t = t with { Shards = Int(key, value, errors, t.Shards) }; break;
                case "rounds": t = t with { Rounds = Int(key, value, errors, t.Rounds) }; break;
                case "epochs": t = t with { LocalEpochs = Int(key, value, errors, t.LocalEpochs) }; break;
                case "batch-size": t = t with { BatchSize = Int(key, value, errors, t.BatchSize) }; break;
                case "patience": t = t with { Patience = Int(key, value, errors, t.Patience, auto: -1) }; break;
                case "min-epochs": t = t with { MinEpochs = Int(key, value, errors, t.MinEpochs) }; break;
                case "lr-schedule": t = t with { LearningRateSchedule = value.ToLowerInvariant() }; break;
                case "optimizer-state": t = t with { OptimizerState = value.ToLowerInvariant() }; break;
                case "merge": t = t with { Merge = value.ToLowerInvariant() }; break;
                case "weight-decay": t = t with { WeightDecay = Number(key, value, errors, t.WeightDecay, -1) }; break;
                case "server-lr": t = t with { ServerLearningRate = Number(key, value, errors, t.ServerLearningRate, TrainingSettings.Auto) }; break;
                case "server-momentum": t = t with { ServerMomentum = Number(key, value, errors, t.ServerMomentum, -1) }; break;
                case "force-deploy":
                    if (bool.TryParse(value, out var force))
                    {
                        spec = spec with { ForceDeploy = force };
                    }
                    else
                    {
                        errors.Add($"force-deploy '{value}' must be true or false.");
                    }

                    break;
                case "seed": t = t with { Seed = Int(key, value, errors, t.Seed) }; break;
                case "retrain-of":
                    if (Guid.TryParse(value, out var of))
                    {
                        spec = spec with { RetrainOf = of };
                    }
                    else
                    {
                        errors.Add($"retrain-of '{value}' is not a job id.");
                    }

                    break;
                case "activation": t = t with { Activation = value.ToLowerInvariant() }; break;
                case "optimizer": t = t with { Optimizer = value.ToLowerInvariant() }; break;
                case "init": t = t with { Initialisation = value.ToLowerInvariant() }; break;
                case "learning-rate":
                    if (value.Equals("auto", StringComparison.OrdinalIgnoreCase))
                    {
                        t = t with { LearningRate = TrainingSettings.Auto };
                    }
                    else if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var lr))
                    {
                        t = t with { LearningRate = lr };
                    }
                    else
                    {
                        errors.Add($"learning-rate '{value}' is not a number.");
                    }

                    break;
                case "hidden-layers":
                    t = t with { HiddenLayers = Layers(value, errors, t.HiddenLayers) };
                    break;
                default:
                    break; // other metadata (content type, the uploader's own tags) is not ours
            }
        }

        return (spec with { Training = t }, errors);
    }

    /// <summary>The metadata that <see cref="Parse"/> reads back as <paramref name="spec"/> (for uploads by the CLI).</summary>
    public static Dictionary<string, string> ToMetadata(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var t = spec.Training;
        var m = new Dictionary<string, string>
        {
            ["task"] = spec.Task.ToString().ToLowerInvariant(),
            ["shards"] = IntText(t.Shards),
            ["rounds"] = IntText(t.Rounds),
            ["epochs"] = IntText(t.LocalEpochs),
            ["batch-size"] = IntText(t.BatchSize),
            ["hidden-layers"] = string.Join(',', t.HiddenLayers.Select(h => h.ToString(CultureInfo.InvariantCulture))),
            ["activation"] = t.Activation,
            ["init"] = t.Initialisation,
            ["optimizer"] = t.Optimizer,
            ["learning-rate"] = t.LearningRate == TrainingSettings.Auto ? "auto" : t.LearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["weight-decay"] = NumberText(t.WeightDecay, -1),
            ["lr-schedule"] = t.LearningRateSchedule,
            ["optimizer-state"] = t.OptimizerState,
            ["merge"] = t.Merge,
            ["server-lr"] = NumberText(t.ServerLearningRate, TrainingSettings.Auto),
            ["server-momentum"] = NumberText(t.ServerMomentum, -1),
            ["patience"] = IntText(t.Patience, auto: -1),
            ["min-epochs"] = IntText(t.MinEpochs),
            ["seed"] = t.Seed.ToString(CultureInfo.InvariantCulture),
        };
        if (spec.ForceDeploy)
        {
            m["force-deploy"] = "true";
        }

        if (spec.RetrainOf is { } of)
        {
            m["retrain-of"] = of.ToString("N");
        }
        if (spec.Target is { Length: > 0 } target)
        {
            m["target"] = target;
        }

        if (spec.ModelName is { Length: > 0 } model)
        {
            m["model"] = model;
        }

        return m;
    }

    private static string NumberText(double value, double auto) =>
        value == auto ? "auto" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A number, or <paramref name="auto"/> for "auto"; a value that is neither is reported.</summary>
    private static double Number(string key, string value, List<string> errors, double fallback, double auto)
    {
        if (value.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return auto;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return number;
        }

        errors.Add($"{key} '{value}' is not a number (or auto).");
        return fallback;
    }

    private static string IntText(int value, int auto = TrainingSettings.Auto) =>
        value == auto ? "auto" : value.ToString(CultureInfo.InvariantCulture);

    private static int Int(string key, string value, List<string> errors, int fallback, int auto = TrainingSettings.Auto)
    {
        if (value.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return auto;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
        {
            return n;
        }

        errors.Add($"{key} '{value}' is not a whole number.");
        return fallback;
    }

    private static IReadOnlyList<int> Layers(string value, List<string> errors, IReadOnlyList<int> fallback)
    {
        if (value.Length == 0 || value == "none")
        {
            return [];
        }

        var sizes = new List<int>();
        foreach (var part in value.Split([',', ' ', 'x', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var size))
            {
                errors.Add($"hidden-layers '{value}' must be layer sizes separated by commas, e.g. 64,32.");
                return fallback;
            }

            sizes.Add(size);
        }

        return sizes;
    }
}
