using Pipeline.Contracts;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Training;

namespace Pipeline.TrainWorker.Tests;

public class ModelSpecsTests
{
    [Theory]
    [InlineData("auto", WeightInitialisation.Auto)]
    [InlineData("He", WeightInitialisation.He)]
    [InlineData("glorot", WeightInitialisation.Glorot)]
    [InlineData("fan-in", WeightInitialisation.FanIn)]
    public void Every_init_word_the_bounds_allow_maps_to_an_initialisation(string word, WeightInitialisation expected) =>
        Assert.Equal(expected, ModelSpecs.InitialisationOf(new TrainingSettings { Initialisation = word }));

    [Theory]
    [InlineData("adam", OptimizerKind.Adam)]
    [InlineData("adamw", OptimizerKind.AdamW)]
    [InlineData("sgd", OptimizerKind.Sgd)]
    public void The_job_s_weight_decay_reaches_the_trainer(string optimizer, OptimizerKind kind)
    {
        var trainer = ModelSpecs.Trainer(new TrainingSettings { Optimizer = optimizer, WeightDecay = 0.01, LearningRate = 0.001, BatchSize = 32, LocalEpochs = 1 }, TaskKind.Regression, round: 1, shard: 0);
        Assert.Equal(kind, trainer.Optimizer);
        Assert.Equal(0.01f, trainer.WeightDecay);
        // Unresolved (auto, -1): what a spec resolved before the setting existed holds; it trained without decay.
        Assert.Equal(0f, ModelSpecs.Trainer(new TrainingSettings { Optimizer = optimizer, LearningRate = 0.001, BatchSize = 32, LocalEpochs = 1 }, TaskKind.Regression, 1, 0).WeightDecay);
    }

    [Fact]
    public void An_unknown_init_names_the_allowed_words()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelSpecs.InitialisationOf(new TrainingSettings { Initialisation = "xavier" }));
        Assert.Contains("use auto, he, glorot or fan-in", error.Message, StringComparison.Ordinal);
    }
}
