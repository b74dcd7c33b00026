using Pipeline.Contracts;
using Pipeline.Tabular.Transforms;

namespace Pipeline.Deploy.Deployment;

/// <summary>
/// Regression metrics in the target's own unit. Training and the shards work on the standardised target
/// (<see cref="FittedTransform.TargetScale"/>); users compare prices, not z-scores. With y = z·σ + μ, errors scale
/// by σ (MSE by σ²) and R² is unchanged.
/// </summary>
public static class TargetUnits
{
    public static ModelMetrics ToOriginal(ModelMetrics metrics, FittedTransform transform)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(transform);
        if (transform.TargetScale is not { } scale || transform.Task == TaskKind.Classification)
        {
            return metrics;
        }

        var sigma = scale.Std > 0 ? scale.Std : 1;
        return metrics with
        {
            Mse = metrics.Mse * sigma * sigma,
            Rmse = metrics.Rmse * sigma,
            Mae = metrics.Mae * sigma,
        };
    }
}
