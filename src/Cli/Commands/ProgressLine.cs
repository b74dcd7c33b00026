using System.Globalization;
using Pipeline.Orchestrator.Api;
using Pipeline.Contracts.Api;

namespace Pipeline.Cli.Commands;

/// <summary>The one-line progress both `demo` and `watch` print whenever a job moves.</summary>
public static class ProgressLine
{
    public static string Of(JobSummary job) => job.State switch
    {
        "Training" or "Merging" when job.ValidationLoss is { } loss => string.Create(CultureInfo.InvariantCulture,
            $"{job.State,-13} round {job.Round}/{job.Rounds}  last merge: validation loss {loss:F4}"),
        "Training" or "Merging" => $"{job.State,-13} round {job.Round}/{job.Rounds}",
        "Failed" => $"Failed        in {job.Stage}: {job.Error}",
        "Rejected" or "Cancelled" when job.Error is not null => $"{job.State,-13} {job.Error}",
        "Deployed" => $"Deployed      {job.ModelName} v{job.DeployedVersion}",
        _ => job.State,
    };

    public static string Stamped(TimeSpan elapsed, string line) =>
        string.Create(CultureInfo.InvariantCulture, $"[{elapsed.TotalSeconds,6:F1}s] {line}");
}
