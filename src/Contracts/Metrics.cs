namespace Pipeline.Contracts;

/// <summary>Metrics of a model on one split; which fields are set depends on the task.</summary>
public sealed record ModelMetrics
{
    public double? Mse { get; init; }
    public double? Rmse { get; init; }
    public double? Mae { get; init; }
    public double? R2 { get; init; }
    public double? Accuracy { get; init; }
    public double? LogLoss { get; init; }

    /// <summary>Classification: the unweighted mean over classes of F1 (a skewed class counts as much as a common one).</summary>
    public double? MacroF1 { get; init; }
}
