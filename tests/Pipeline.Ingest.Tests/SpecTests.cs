using Pipeline.Contracts;
using Pipeline.Tabular.Schema;
using Pipeline.Ingest.Spec;

namespace Pipeline.Ingest.Tests;

public class SpecTests
{
    [Fact]
    public void Defaults_target_is_the_last_column_and_task_is_inferred()
    {
        var regression = CsvTestData.Scan("a,b,price\n1,x,100.5\n2,y,200.25\n3,x,150\n", file: "houses.csv.gz");
        Assert.Equal("price", regression.ResolvedSpec.Target);
        Assert.Equal(TaskKind.Regression, regression.ResolvedSpec.Task);
        Assert.Equal("houses", regression.ResolvedSpec.ModelName);

        var classes = CsvTestData.Scan("a,label\n1,cat\n2,dog\n3,cat\n");
        Assert.Equal(TaskKind.Classification, classes.ResolvedSpec.Task);

        var integers = CsvTestData.Scan("a,label\n1,0\n2,1\n3,2\n4,1\n");
        Assert.Equal(TaskKind.Classification, integers.ResolvedSpec.Task);
    }

    [Fact]
    public void Column_kinds_are_inferred()
    {
        var scan = CsvTestData.Scan("n,b,d,c,y\n1.5,true,2024-01-02,red,1\n2,no,2024-02-03T10:00:00,blue,2\n,yes,,red,3.5\n");
        Assert.Equal([ColumnKind.Numeric, ColumnKind.Boolean, ColumnKind.Date, ColumnKind.Categorical, ColumnKind.Numeric], scan.Columns.Select(c => c.Kind));
        Assert.Equal(1, scan.Columns[0].Missing);
        Assert.Equal(3, scan.Rows);
    }

    [Fact]
    public void Metadata_overrides_defaults_and_reports_unreadable_values()
    {
        var (spec, errors) = JobSpecMetadata.Parse(new Dictionary<string, string>
        {
            ["target"] = "price",
            ["task"] = "Classification",
            ["shards"] = "8",
            ["hidden-layers"] = "64,32",
            ["learning-rate"] = "0.01",
            ["weight-decay"] = "1e-4",
            ["init"] = "Fan-In",
            ["rounds"] = "many",
            ["merge"] = "FedAvgM",
            ["server-momentum"] = "0.9",
            ["server-lr"] = "fast",
        });
        Assert.Equal("price", spec.Target);
        Assert.Equal(TaskKind.Classification, spec.Task);
        Assert.Equal(8, spec.Training.Shards);
        Assert.Equal([64, 32], spec.Training.HiddenLayers);
        Assert.Equal(0.01, spec.Training.LearningRate);
        Assert.Equal(1e-4, spec.Training.WeightDecay);
        Assert.Equal(-1, JobSpecMetadata.Parse(new Dictionary<string, string> { ["weight-decay"] = "auto" }).Spec.Training.WeightDecay);
        Assert.Equal("fan-in", spec.Training.Initialisation);
        Assert.Equal("fedavgm", spec.Training.Merge);
        Assert.Equal(0.9, spec.Training.ServerMomentum);
        Assert.Equal(TrainingSettings.Auto, spec.Training.ServerLearningRate);
        Assert.Equal(["rounds 'many' is not a whole number.", "server-lr 'fast' is not a number (or auto)."], errors);
    }

    [Fact]
    public void Metadata_round_trips()
    {
        var original = new JobSpec { Target = "y", Task = TaskKind.Regression, Training = new TrainingSettings { Shards = 3, HiddenLayers = [8, 4], LearningRate = 0.005, WeightDecay = 0.01, Initialisation = "glorot", Merge = "fedavgm", ServerLearningRate = 0.7, ServerMomentum = 0 } };
        var (parsed, errors) = JobSpecMetadata.Parse(JobSpecMetadata.ToMetadata(original));
        Assert.Empty(errors);
        Assert.Equal(original.Training.HiddenLayers, parsed.Training.HiddenLayers);
        Assert.Equal(original with { Training = original.Training with { HiddenLayers = parsed.Training.HiddenLayers } }, parsed);
    }

    [Fact]
    public void Default_settings_are_within_bounds() =>
        Assert.Empty(TrainingSettingsBounds.Check(new TrainingSettings()));

    [Fact]
    public void Out_of_range_settings_are_rejected_with_the_allowed_range()
    {
        var errors = TrainingSettingsBounds.Check(new TrainingSettings
        {
            Shards = -3,
            Rounds = 20_000,
            LocalEpochs = -1,
            Patience = -2,
            HiddenLayers = [64, 0],
            LearningRate = 5,
            WeightDecay = -0.1,
            Optimizer = "rmsprop",
            Initialisation = "xavier",
            Merge = "scaffold",
            ServerLearningRate = -1,
            ServerMomentum = 1,
        });
        Assert.Equal(
            [
                "shards = -3 is out of range; allowed 1..1024, or 0 for the automatic plan.",
                "rounds = 20000 is out of range; allowed 1..10000, or 0 for the automatic plan.",
                "epochs = -1 is out of range; allowed 1..1000, or 0 for the automatic plan.",
                "patience = -2 is out of range; allowed 0..1000, or -1 for the automatic plan.",
                "merge 'scaffold' is not known; allowed: auto, fedavg, fedavgm, fedadam.",
                "server-lr = -1 is out of range; allowed above 0 up to 10 (or auto).",
                "server-momentum = 1 is out of range; allowed 0 up to (not including) 1 (or auto).",
                "hidden-layers[1] (layer size) = 0 is out of range; allowed 1..8192.",
                "learning-rate = 5 is out of range; allowed 1E-07..1 (or 0 for auto).",
                "weight-decay = -0.1 is out of range; allowed 0..1 (0: none), or auto.",
                "optimizer 'rmsprop' is not known; allowed: sgd, momentum, nesterov, adam, adamw.",
                "init 'xavier' is not known; allowed: auto, he, glorot, fan-in.",
            ],
            errors);
    }

    [Fact]
    public void The_job_a_spec_retrains_travels_in_the_metadata()
    {
        var old = Guid.NewGuid();
        var (spec, errors) = JobSpecMetadata.Parse(JobSpecMetadata.ToMetadata(new JobSpec { RetrainOf = old }));
        Assert.Empty(errors);
        Assert.Equal(old, spec.RetrainOf);
        Assert.Equal(["retrain-of 'x' is not a job id."], JobSpecMetadata.Parse(new Dictionary<string, string> { ["retrain-of"] = "x" }).Errors);
    }
}
