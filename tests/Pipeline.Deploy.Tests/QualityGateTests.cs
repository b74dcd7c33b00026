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
}
