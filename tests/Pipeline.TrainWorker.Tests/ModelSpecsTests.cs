using Pipeline.Contracts;
using Pipeline.Numerics.Layers;

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

    [Fact]
    public void An_unknown_init_names_the_allowed_words()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelSpecs.InitialisationOf(new TrainingSettings { Initialisation = "xavier" }));
        Assert.Contains("use auto, he, glorot or fan-in", error.Message, StringComparison.Ordinal);
    }
}
