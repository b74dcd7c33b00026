using Pipeline.Cli.Commands;
using Pipeline.Contracts;
using static Pipeline.Cli.Tests.CliRun;

namespace Pipeline.Cli.Tests;

/// <summary>Every training setting has a flag, read by the same parser as `--set` and object metadata.</summary>
public sealed class TrainingFlagsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipeline-flags-").FullName;

    [Fact]
    public void Each_flag_sets_its_setting()
    {
        var t = Spec("--epochs", "3", "--batch-size", "64", "--lr", "0.002", "--hidden", "128,64", "--activation", "tanh",
            "--optimizer", "sgd", "--patience", "7", "--init", "glorot").Training;
        Assert.Equal((3, 64, 0.002, "tanh", "sgd", 7, "glorot"), (t.LocalEpochs, t.BatchSize, t.LearningRate, t.Activation, t.Optimizer, t.Patience, t.Initialisation));
        Assert.Equal([128, 64], t.HiddenLayers);
        Assert.Equal(TrainingFlags.MetadataKeys.Count, TrainingFlags.Values.Count - 1); // every flag but --spec stands for a key
    }

    [Fact]
    public void A_spec_file_is_the_base_that_flags_and_then_set_override()
    {
        var file = Path.Combine(_folder, "spec.json");
        File.WriteAllText(file, """{"target": "y", "task": "classification", "training": {"hiddenLayers": [32], "localEpochs": 5, "optimizer": "adamw"}}""");
        var spec = Spec("--spec", file, "--epochs", "2", "--optimizer", "sgd", "--set", "optimizer=nesterov");
        Assert.Equal(("y", TaskKind.Classification), (spec.Target, spec.Task));
        Assert.Equal([32], spec.Training.HiddenLayers);
        Assert.Equal((2, "nesterov"), (spec.Training.LocalEpochs, spec.Training.Optimizer));
    }

    [Fact]
    public async Task Bad_values_and_misspelt_spec_files_are_refused_before_anything_is_sent()
    {
        var file = Path.Combine(_folder, "typo.json");
        File.WriteAllText(file, """{"training": {"hiddenLayer": [32]}}""");
        const string nowhere = "http://127.0.0.1:1";
        foreach (var args in new[] { ["--activation", "swish"], ["--hidden", "0"], ["--lr", "fast"], ["--spec", file], new[] { "--spec", Path.Combine(_folder, "none.json") } })
        {
            var (code, _, error) = await Run(["submit", "x.csv", .. args, "--url", nowhere]);
            Assert.True(code == ExitCodes.Usage, $"{string.Join(' ', args)}: {code} {error}");
        }

        var (demo, _, demoError) = await Run("demo", "--activation", "swish", "--dir", Path.Combine(_folder, "demo"));
        Assert.Equal(ExitCodes.Usage, demo);
        Assert.Contains("activation", demoError, StringComparison.Ordinal);
    }

    private static JobSpec Spec(params string[] args) =>
        TrainingFlags.Apply(TrainingFlags.BaseSpec(CommandLine.Parse("submit", args, JobCommands.SubmitValues, JobCommands.SubmitFlags)),
            CommandLine.Parse("submit", args, JobCommands.SubmitValues, JobCommands.SubmitFlags));

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
