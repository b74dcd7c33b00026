namespace Pipeline.Testing.Sagas;

public sealed record StartCounter
{
    public required Guid CounterId { get; init; }

    /// <summary>When set, a reminder is scheduled this long after the start.</summary>
    public TimeSpan? RemindAfter { get; init; }
}

public sealed record IncrementCounter
{
    public required Guid CounterId { get; init; }
    public required int Sequence { get; init; }
}

public sealed record FinishCounter
{
    public required Guid CounterId { get; init; }
}

public sealed record CounterReminder
{
    public required Guid CounterId { get; init; }
}
