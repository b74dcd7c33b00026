using Pipeline.Contracts;
using Pipeline.Deploy.Registry;

namespace Pipeline.Deploy.Tests;

public class QualityGateTests
{
    [Fact]
    public void The_first_version_of_a_name_is_promoted()
    {
        var decision = QualityGate.Decide(GateMetric.Rmse, 5.0, productionVersion: null, production: null, tolerance: 0.01);
        Assert.True(decision.Promote);
        Assert.Contains("first", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.00, true)] // equal
    [InlineData(0.90, true)] // better
    [InlineData(1.009, true)] // worse, within 1 %
    [InlineData(1.02, false)] // worse beyond 1 %
    public void Rmse_may_be_worse_only_within_the_tolerance(double candidate, bool promoted)
    {
        var decision = QualityGate.Decide(GateMetric.Rmse, candidate, 4, 1.0, 0.01);
        Assert.Equal(promoted, decision.Promote);
        Assert.Contains("v4", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.90, true)]
    [InlineData(0.95, true)]
    [InlineData(0.892, true)] // 0.9 - 1 % of 0.9 = 0.891
    [InlineData(0.89, false)]
    public void Accuracy_may_be_lower_only_within_the_tolerance(double candidate, bool promoted) =>
        Assert.Equal(promoted, QualityGate.Decide(GateMetric.Accuracy, candidate, 1, 0.90, 0.01).Promote);

    [Fact]
    public void A_zero_tolerance_refuses_any_regression() =>
        Assert.False(QualityGate.Decide(GateMetric.Rmse, 1.0000001, 1, 1.0, 0).Promote);

    [Fact]
    public void A_non_finite_test_metric_is_never_promoted() =>
        Assert.False(QualityGate.Decide(GateMetric.Rmse, double.NaN, null, null, 0.01).Promote);

    [Fact]
    public void Regression_is_judged_on_rmse_and_classification_on_accuracy()
    {
        Assert.Equal("rmse", GateMetric.For(TaskKind.Regression).Name);
        Assert.True(GateMetric.For(TaskKind.Regression).LowerIsBetter);
        Assert.Equal("accuracy", GateMetric.For(TaskKind.Classification).Name);
        Assert.False(GateMetric.For(TaskKind.Classification).LowerIsBetter);
    }

    [Theory]
    [InlineData(0.95, 1.0, false)] // 5 % less error than the mean predictor: passes the 1 % margin
    [InlineData(0.995, 1.0, true)] // within the margin: no better than the mean
    [InlineData(1.3, 1.0, true)] // worse than the mean (R² < 0)
    public void A_regression_model_must_cut_the_mean_predictors_error_by_the_margin(double mse, double trivialMse, bool refused)
    {
        var decision = QualityGate.WorthServing(TaskKind.Regression, new ModelMetrics { Mse = mse, R2 = 1 - (mse / trivialMse) }, new ModelMetrics { Mse = trivialMse, R2 = 0 }, null, 0.01, 0.05, 10_000);
        Assert.Equal(refused, !decision.Promote);
    }

    [Theory]
    [InlineData(0.80, false)]
    [InlineData(0.71, true)] // 0.29 error vs the majority's 0.30: not 1 % less
    public void A_classifier_must_cut_the_majority_class_error_rate_by_the_margin(double accuracy, bool refused) =>
        Assert.Equal(refused, !QualityGate.WorthServing(TaskKind.Classification, new ModelMetrics { Accuracy = accuracy }, new ModelMetrics { Accuracy = 0.70 }, null, 0.05, 0.05, 10_000).Promote);

    [Theory]
    [InlineData(0.80, 0.84, false)] // 0.04 below the baseline: within the 0.05 tolerance
    [InlineData(0.60, 0.88, true)]
    public void A_model_far_behind_the_baseline_is_not_worth_serving(double r2, double baselineR2, bool refused)
    {
        var decision = QualityGate.WorthServing(TaskKind.Regression, new ModelMetrics { Mse = 1 - r2, R2 = r2 }, new ModelMetrics { Mse = 1, R2 = 0 }, new ModelMetrics { R2 = baselineR2 }, 0.01, 0.05, 10_000);
        Assert.Equal(refused, !decision.Promote);
        if (refused)
        {
            Assert.Contains("below the baseline's", decision.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void On_a_small_test_split_the_baseline_tolerance_widens_to_two_standard_errors()
    {
        // Iris-sized: 13 test rows, where one row is 0.077 of accuracy.
        var candidate = new ModelMetrics { Accuracy = 0.846 };
        var trivial = new ModelMetrics { Accuracy = 0.33 };
        var baseline = new ModelMetrics { Accuracy = 0.923 };
        Assert.True(QualityGate.WorthServing(TaskKind.Classification, candidate, trivial, baseline, 0.01, 0.05, testRows: 13).Promote);
        Assert.False(QualityGate.WorthServing(TaskKind.Classification, candidate, trivial, baseline, 0.01, 0.05, testRows: 5_000).Promote);
        Assert.Equal(0.05, Math.Max(0.05, QualityGate.NoiseTolerance(TaskKind.Classification, 0.923, 0.846, 100_000)));
    }

    [Fact]
    public void A_baseline_perfect_on_a_tiny_split_does_not_make_the_noise_vanish()
    {
        // 13 rows: the baseline got all right, the candidate 11 (two rows). Equally good models differ by that often.
        var trivial = new ModelMetrics { Accuracy = 0.33 };
        var baseline = new ModelMetrics { Accuracy = 1.0 };
        Assert.True(QualityGate.WorthServing(TaskKind.Classification, new ModelMetrics { Accuracy = 11 / 13.0 }, trivial, baseline, 0.01, 0.05, testRows: 13).Promote);
        // Six rows behind is not noise.
        Assert.False(QualityGate.WorthServing(TaskKind.Classification, new ModelMetrics { Accuracy = 7 / 13.0 }, trivial, baseline, 0.01, 0.05, testRows: 13).Promote);
        // Regression: a baseline with R² 1.0 on 20 rows against a candidate's 0.95.
        Assert.True(QualityGate.NoiseTolerance(TaskKind.Regression, 1.0, 0.95, 20) > 0.02);
    }
}
