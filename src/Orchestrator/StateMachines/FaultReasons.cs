using MassTransit;

namespace Pipeline.Orchestrator.StateMachines;

/// <summary>
/// A command that faulted (its consumer threw through every retry and redelivery) as a job's failure reason: the
/// exception's type and message, bounded, since the reason is stored with the job and shown in every list of jobs.
/// </summary>
internal static class FaultReasons
{
    public const int MaxLength = 500;

    public static string Of<T>(Fault<T> fault)
        where T : class
    {
        var first = fault.Exceptions?.FirstOrDefault();
        var type = first?.ExceptionType is { Length: > 0 } full ? full[(full.LastIndexOf('.') + 1)..] : "error";
        var text = $"{type}: {first?.Message ?? "no exception recorded"} (the message failed through every retry and redelivery)";
        return Bound(text);
    }

    public static string Bound(string text) => text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength - 1), "…");
}
