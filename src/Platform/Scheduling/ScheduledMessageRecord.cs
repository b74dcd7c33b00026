namespace Pipeline.Platform.Scheduling;

/// <summary>A message due to be sent later, kept in the database so it survives restarts.</summary>
public sealed class ScheduledMessageRecord
{
    /// <summary>The scheduling token: what a saga stores to recognise (or cancel) its timeout.</summary>
    public Guid TokenId { get; set; }

    public required string Destination { get; set; }

    /// <summary>Assembly-qualified CLR type of the message.</summary>
    public required string MessageType { get; set; }

    /// <summary>The message serialised as JSON.</summary>
    public required string Body { get; set; }

    /// <summary>Plain-valued headers the send set (JSON object), e.g. a redelivery's count; null when none.</summary>
    public string? Headers { get; set; }

    public DateTime DueAtUtc { get; set; }

    public DateTime CreatedAtUtc { get; set; }

    /// <summary>Failed dispatch attempts; after too many the record is parked (kept, no longer tried).</summary>
    public int Attempts { get; set; }

    public string? LastError { get; set; }
}
