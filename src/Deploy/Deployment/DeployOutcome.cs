using Pipeline.Contracts;

namespace Pipeline.Deploy.Deployment;

/// <summary>The end of one deployment: each maps to the event the saga waits for.</summary>
public abstract record DeployOutcome
{
    /// <summary>In production; the baseline's and the trivial predictor's test metrics beside the model's.</summary>
    public sealed record Deployed(int Version, ModelMetrics Test, ModelMetrics? Baseline = null, ModelMetrics? Trivial = null) : DeployOutcome;

    /// <summary>Kept out of production (not worth serving, or worse than production), with the same metrics.</summary>
    public sealed record Rejected(int Version, string Reason, ModelMetrics? Test = null, ModelMetrics? Baseline = null, ModelMetrics? Trivial = null) : DeployOutcome;

    public sealed record Failed(string Reason) : DeployOutcome;
}

/// <summary>A deployment that cannot succeed however often it is retried (bad name, mismatched artifacts).</summary>
public sealed class DeploymentException(string message, Exception? inner = null) : Exception(message, inner);
