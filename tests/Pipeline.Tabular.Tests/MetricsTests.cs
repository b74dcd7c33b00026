using Pipeline.Contracts;
using Pipeline.Tabular.Metrics;
using Pipeline.Tabular.Shards;

namespace Pipeline.Tabular.Tests;

public sealed class MetricsTests
{
    [Fact]
    public void Macro_f1_weighs_a_rare_class_like_a_common_one()
    {
        // 8 of class 0, 2 of class 1; the model predicts class 0 for everything: accuracy 0.8, but class 1 has F1 0.
        var labels = new float[] { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1 };
        var logits = new float[20];
        for (var i = 0; i < 10; i++)
        {
            logits[2 * i] = 2;
        }

        var metrics = ModelEvaluation.Classification(logits, labels, 10, 2).Metrics;
        Assert.Equal(0.8, metrics.Accuracy!.Value, 12);
        Assert.Equal((2.0 * 8 / 18) / 2, metrics.MacroF1!.Value, 12); // class 0: 2·8/(10+8); class 1: 0
    }

    [Fact]
    public void Overflowed_logits_give_a_log_loss_that_is_a_number_or_infinite_never_NaN()
    {
        // Row 1: one infinite logit on its label (certain and right); row 2: two infinite logits, one the label.
        var labels = new float[] { 0, 1 };
        var logits = new[] { float.PositiveInfinity, 0f, -3f, float.PositiveInfinity, float.PositiveInfinity, 1f };
        var metrics = ModelEvaluation.Classification(logits, labels, 2, 3).Metrics;
        Assert.Equal(0.5, metrics.Accuracy!.Value, 12); // row 2 picks the first of its two infinite logits: wrong
        Assert.Equal(Math.Log(2) / 2, metrics.LogLoss!.Value, 12);

        // Row 3 confidently wrong: infinite log-loss, which FiniteMetrics turns into "not measured" for storing.
        var wrong = ModelEvaluation.Classification(new[] { 0f, float.PositiveInfinity }, new float[] { 0 }, 1, 2).Metrics;
        Assert.True(double.IsPositiveInfinity(wrong.LogLoss!.Value));
        var stored = FiniteMetrics.Of(wrong with { R2 = double.NaN });
        Assert.Null(stored.LogLoss);
        Assert.Null(stored.R2);
        Assert.Equal(0.0, stored.Accuracy);
    }

    [Fact]
    public void The_trivial_predictor_is_the_training_mean_or_the_majority_class()
    {
        var train = new ShardData([0, 0, 0, 0], [1, 2, 3, 6], 4, 1, 1, (int)TaskKind.Regression);
        var test = new ShardData([0, 0], [3, 5], 2, 1, 1, (int)TaskKind.Regression);
        var regression = TrivialPredictor.Evaluate(train, test, TaskKind.Regression);
        Assert.Equal(((3.0 - 3) * (3 - 3) + (5.0 - 3) * (5 - 3)) / 2, regression.Mse!.Value, 6); // predicts 3

        var classes = new ShardData(new float[5], [2, 2, 2, 0, 1], 5, 1, 3, (int)TaskKind.Classification);
        var labels = new ShardData(new float[4], [2, 0, 2, 1], 4, 1, 3, (int)TaskKind.Classification);
        var classification = TrivialPredictor.Evaluate(classes, labels, TaskKind.Classification);
        Assert.Equal(0.5, classification.Accuracy!.Value, 12);
        Assert.True(classification.LogLoss > 0.9 && classification.LogLoss < 1.2, $"log-loss {classification.LogLoss}");
    }
}
