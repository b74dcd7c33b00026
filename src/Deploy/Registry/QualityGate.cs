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

    /// <summary>
    /// Whether a model is worth serving at all, before it is compared with production: its error (MSE; for
    /// classification the error rate) must be at most (1 − <paramref name="margin"/>) of the trivial predictor's, and
    /// its R² (classification: accuracy) at most <paramref name="baselineTolerance"/> below the baseline's. On a small
    /// test split the tolerance widens to two standard errors of the difference (<see cref="NoiseTolerance"/>): with
    /// 15 test rows one row moves accuracy by 0.07, and a gate must not reject a model for one row of noise.
    /// </summary>
    public static GateDecision WorthServing(TaskKind task, ModelMetrics candidate, ModelMetrics trivial, ModelMetrics? baseline, double margin, double baselineTolerance, int testRows)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(trivial);
        var classification = task == TaskKind.Classification;
        var name = classification ? "accuracy" : "R²";
        double Score(ModelMetrics m) => (classification ? m.Accuracy : m.R2) ?? double.NaN;
        double Error(ModelMetrics m) => (classification ? 1 - m.Accuracy : m.Mse) ?? double.NaN;
        var score = Score(candidate);
        var trivialText = classification ? $"the majority class scores accuracy {F(Score(trivial))}" : $"predicting the training mean scores R² {F(Score(trivial))}";
        if (!(Error(candidate) <= (1 - margin) * Error(trivial)))
        {
            return new GateDecision(false, $"not worth serving: test {name} {F(score)}, while {trivialText}; the model must cut the trivial predictor's error by at least {F(100 * margin)} % (setting Pipeline:Deploy:MinImprovementOverTrivial)");
        }

        var tolerance = baseline is null ? baselineTolerance : Math.Max(baselineTolerance, NoiseTolerance(task, Score(baseline), score, testRows));
        if (baseline is not null && double.IsFinite(Score(baseline)) && score < Score(baseline) - tolerance)
        {
            return new GateDecision(false, $"not worth serving: test {name} {F(score)} is more than {F(tolerance)} below the baseline's {F(Score(baseline))} on the same {testRows} test rows (setting Pipeline:Deploy:BaselineTolerance)");
        }

        return new GateDecision(true, $"test {name} {F(score)} beats the trivial predictor ({F(Score(trivial))})" + (baseline is null ? "" : $" and is within {F(tolerance)} of the baseline ({F(Score(baseline))})"));
    }

    /// <summary>
    /// Two standard errors of the difference between two models' scores on <paramref name="rows"/> test rows, under
    /// the hypothesis that they are equally good, so with their pooled (mean) score p for both: accuracy
    /// √(2p(1−p)/n); R² (1−R²)·√(2/n)·√2, from the relative standard error √(2/n) of a mean of squared normal errors.
    /// Pooled, not the baseline's alone: a baseline that happened to get all 13 rows of a tiny split right would
    /// otherwise claim no noise at all (p(1−p) = 0) and the gate would reject for two rows.
    /// </summary>
    public static double NoiseTolerance(TaskKind task, double baselineScore, double candidateScore, int rows)
    {
        if (rows <= 0 || !double.IsFinite(baselineScore))
        {
            return 0;
        }

        var pooled = double.IsFinite(candidateScore) ? (baselineScore + candidateScore) / 2 : baselineScore;
        var se = task == TaskKind.Classification
            ? Math.Sqrt(2 * Math.Clamp(pooled, 0, 1) * (1 - Math.Clamp(pooled, 0, 1)) / rows)
            : Math.Max(0, 1 - pooled) * Math.Sqrt(2.0 / rows) * Math.Sqrt(2);
        return 2 * se;
    }

    private static string F(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
