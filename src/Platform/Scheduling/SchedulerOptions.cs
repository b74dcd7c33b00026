namespace Pipeline.Platform.Scheduling;

/// <summary>Bound from <c>Pipeline:Scheduler</c>.</summary>
public sealed class SchedulerOptions
{
    public const string Section = "Pipeline:Scheduler";

    /// <summary>How often due messages are looked for; the lateness of a timeout is at most about this.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Due messages sent per poll and transaction.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Dispatch attempts before a message is parked (kept with its error, no longer tried).</summary>
    public int MaxAttempts { get; set; } = 10;
}
