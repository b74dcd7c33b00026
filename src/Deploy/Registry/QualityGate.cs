using System.Globalization;
using Pipeline.Contracts;

namespace Pipeline.Deploy.Registry;

/// <summary>The metric the gate compares for a task, and which direction is better.</summary>
public sealed record GateMetric(string Name, bool LowerIsBetter)
{
    public static readonly GateMetric Rmse = new("rmse", LowerIsBetter: true);
    public static readonly GateMetric Accuracy = new("accuracy", LowerIsBetter: false);

    /// <summary>Regression is judged on RMSE, classification on accuracy (both on the test split).</summary>
    public static GateMetric For(TaskKind task) => task == TaskKind.Classification ? Accuracy : Rmse;

    public double? Read(ModelMetrics metrics) => Name == "rmse" ? metrics.Rmse : metrics.Accuracy;
}

/// <summary>What the gate decided, and why in words a person can act on.</summary>
public sealed record GateDecision(bool Promote, string Reason);

/// <summary>
/// The quality gate: a new version replaces production only if its test metric is no worse than production's beyond
/// a tolerance, a fraction of production's value. The first version of a name is always promoted.
/// </summary>
public static class QualityGate
{
    public static GateDecision Decide(GateMetric metric, double candidate, int? productionVersion, double? production, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        if (!double.IsFinite(candidate))
        {
            return new GateDecision(false, $"test {metric.Name} is {F(candidate)}, not a finite number");
        }

        if (productionVersion is null || production is null || !double.IsFinite(production.Value))
        {
            return new GateDecision(true, $"first production version (test {metric.Name} {F(candidate)})");
        }

        var slack = tolerance * Math.Abs(production.Value);
        var pass = metric.LowerIsBetter ? candidate <= production.Value + slack : candidate >= production.Value - slack;
        var comparison = $"test {metric.Name} {F(candidate)} vs production v{productionVersion} {F(production.Value)} (tolerance {tolerance.ToString("0.###", CultureInfo.InvariantCulture)} relative)";
        return pass
            ? new GateDecision(true, $"promoted: {comparison}")
            : new GateDecision(false, $"rejected by the quality gate: {comparison} is worse beyond the tolerance");
    }

    private static string F(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
