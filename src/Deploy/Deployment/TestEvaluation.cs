using Pipeline.Contracts;
using Pipeline.Numerics.Layers;
using Pipeline.Tabular.Shards;
using Pipeline.Tabular.Transforms;
using Pipeline.Tabular.Metrics;

namespace Pipeline.Deploy.Deployment;

/// <summary>
/// Test-split metrics with the same formulas as training's validation metrics, then in the target's own unit
/// (regression targets are standardised in the shards; see <see cref="TargetUnits"/>).
/// </summary>
public static class TestEvaluation
{
    public static ModelMetrics Evaluate(Network network, ShardData test, FittedTransform transform)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(transform);
        return TargetUnits.ToOriginal(ModelEvaluation.Evaluate(network, test, transform.Task).Metrics, transform);
    }
}
