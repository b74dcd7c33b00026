using Pipeline.Contracts;

namespace Pipeline.Tabular.Metrics;

/// <summary>
/// Metrics as they can be stored and shown: a value that is not a finite number (the log-loss of a row whose
/// predicted probability for its label underflowed to zero, an overflowed network) becomes "not measured" instead of
/// an exception where it is written as JSON (the registry row, the model card, the job view).
/// </summary>
public static class FiniteMetrics
{
    public static ModelMetrics Of(ModelMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return metrics with
        {
            Mse = Finite(metrics.Mse),
            Rmse = Finite(metrics.Rmse),
            Mae = Finite(metrics.Mae),
            R2 = Finite(metrics.R2),
            Accuracy = Finite(metrics.Accuracy),
            LogLoss = Finite(metrics.LogLoss),
            MacroF1 = Finite(metrics.MacroF1),
        };
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
