using Pipeline.Contracts;
using Pipeline.Deploy.Baseline;

namespace Pipeline.Deploy.Tests;

public sealed class TreeBaselineTests
{
    [Fact]
    public void Classification_trains_one_LightGBM_multiclass_model_with_real_probabilities()
    {
        var fixture = new DeployFixture(TaskKind.Classification, rows: 2000);
        var result = TreeBaseline.TrainAndEvaluate(fixture.Train, "training shards", fixture.Test, TaskKind.Classification, seed: 3);

        // LightGBM's native library loads here (the fallback would name one-versus-all FastTree).
        Assert.Equal(TreeBaseline.ClassificationTrainer, result.Trainer);
        Assert.Null(result.Error);
        var majority = fixture.Test.Targets.GroupBy(t => t).Max(g => g.Count()) / (double)fixture.Test.Rows;
        Assert.True(result.Test!.Accuracy > majority + 0.2, $"accuracy {result.Test.Accuracy} vs majority {majority}");
        Assert.True(result.Test.LogLoss < Math.Log(3), $"log-loss {result.Test.LogLoss} is no better than uniform probabilities");
    }

    [Fact]
    public void Regression_trains_FastTree()
    {
        var fixture = new DeployFixture(TaskKind.Regression, rows: 2000);
        var result = TreeBaseline.TrainAndEvaluate(fixture.Train, "training shards", fixture.Test, TaskKind.Regression, seed: 3);
        Assert.Equal(TreeBaseline.RegressionTrainer, result.Trainer);
        Assert.True(result.Test!.R2 > 0.5, $"R² {result.Test.R2}");
    }
}
