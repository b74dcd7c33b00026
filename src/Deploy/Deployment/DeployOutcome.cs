using Pipeline.Contracts;

namespace Pipeline.Deploy.Deployment;

/// <summary>The end of one deployment: each maps to the event the saga waits for.</summary>
public abstract record DeployOutcome
{
    public sealed record Deployed(int Version, ModelMetrics Test) : DeployOutcome;

    public sealed record Rejected(int Version, string Reason) : DeployOutcome;

    public sealed record Failed(string Reason) : DeployOutcome;
}

/// <summary>A deployment that cannot succeed however often it is retried (bad name, mismatched artifacts).</summary>
public sealed class DeploymentException(string message, Exception? inner = null) : Exception(message, inner);
