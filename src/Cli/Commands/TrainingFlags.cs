using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Contracts;

namespace Pipeline.Cli.Commands;

/// <summary>
/// One flag per training setting for `submit` and `demo` (`--epochs 3`, `--hidden 128,64`, `--lr 0.001`, ...) and
/// `--spec FILE` for a whole JSON spec. Each flag is a `--set` pair under another name, so its value is read and
/// checked by the one parser every way in uses (object metadata, the HTTP API). Precedence: the spec file, then the
/// verb's own options, then these flags, then `--set`.
/// </summary>
public static class TrainingFlags
{
    /// <summary>Each flag and the object-metadata key it stands for (<see cref="Ingest.Spec.JobSpecMetadata.Keys"/>).</summary>
    public static readonly IReadOnlyDictionary<string, string> MetadataKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--epochs"] = "epochs",
        ["--batch-size"] = "batch-size",
        ["--lr"] = "learning-rate",
        ["--weight-decay"] = "weight-decay",
        ["--hidden"] = "hidden-layers",
        ["--activation"] = "activation",
        ["--optimizer"] = "optimizer",
        ["--patience"] = "patience",
        ["--init"] = "init",
    };

    /// <summary>The value options the flags add to a verb.</summary>
    public static readonly IReadOnlyList<string> Values = [.. MetadataKeys.Keys, "--spec"];

    /// <summary>The lines the flags add to a verb's --help.</summary>
    public const string Usage = """
        Training settings (any value may be "auto" where the plan chooses it; `status JOB` shows what was chosen and why):
          --epochs N  --batch-size N  --lr RATE  --weight-decay L2 (0: none)  --hidden 128,64  --activation relu|tanh|sigmoid|linear|leakyrelu|gelu
          --optimizer sgd|momentum|nesterov|adam|adamw  --patience EPOCHS (0: never stop early)  --init auto|he|glorot|fan-in
          --spec FILE   a JSON job spec, as the API takes it, e.g. {"target": "price", "training": {"hiddenLayers": [128, 64]}};
                        the options above win over it, and --set "KEY=VALUE ..." wins over them all.
        """;

    private static readonly JsonSerializerOptions SpecJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        // A misspelt setting in a file must not be silently ignored.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The spec in --spec FILE, or the default spec.</summary>
    public static JobSpec BaseSpec(CommandLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Value("--spec") is not { } path)
        {
            return new JobSpec();
        }

        try
        {
            // The plan and the submitter are the system's to set, whatever a file copied from `status --json` says.
            var spec = JsonSerializer.Deserialize<JobSpec>(File.ReadAllText(path), SpecJson) ?? throw new UsageException($"--spec {path}: the file holds null.");
            return spec with { Plan = null, SubmittedBy = null };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--spec {path}: {ex.Message}");
        }
        catch (JsonException ex)
        {
            throw new UsageException($"--spec {path} is not a job spec: {ex.Message}");
        }
    }

    /// <summary>Applies the training flags given, then --set, to <paramref name="spec"/>, and checks the bounds.</summary>
    public static JobSpec Apply(JobSpec spec, CommandLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var given = MetadataKeys.Where(f => line.Value(f.Key) is not null).ToDictionary(f => f.Value, f => line.Value(f.Key)!, StringComparer.Ordinal);
        return SpecSettings.Apply(spec, given, line.Value("--set"));
    }
}
