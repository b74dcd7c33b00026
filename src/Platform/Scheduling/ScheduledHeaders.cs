using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using MassTransit.Context;

namespace Pipeline.Platform.Scheduling;

/// <summary>
/// The headers a scheduled send puts on its message, kept beside the body. A redelivery counts its rounds in a
/// header (<c>MT-Redelivery-Count</c>): without it every redelivery would look like the first, and a message that
/// never succeeds would circle for ever instead of faulting.
/// </summary>
internal static class ScheduledHeaders
{
    /// <summary>
    /// The span that scheduled the message (W3C traceparent): the dispatcher sends it later from its own loop, where no
    /// span is current, and continues this one so the job's trace does not break at a timeout or a redelivery.
    /// </summary>
    public const string TraceParent = "Pipeline-Trace-Parent";

    /// <summary>Runs the caller's send pipe on a detached context and keeps the plain-valued headers it set, as JSON; null when none.</summary>
    public static async Task<string?> CaptureAsync<T>(T message, IPipe<SendContext<T>>? pipe, CancellationToken cancellationToken)
        where T : class
    {
        var kept = new Dictionary<string, object>();
        if (pipe is not null)
        {
            var capture = new MessageSendContext<T>(message, cancellationToken);
            await pipe.Send(capture);
            foreach (var h in capture.Headers.GetAll().Where(h => Keep(h.Key) && h.Value is string or int or long or bool))
            {
                kept[h.Key] = h.Value;
            }
        }

        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } current)
        {
            kept[TraceParent] = current.Id!;
        }

        return kept.Count == 0 ? null : JsonSerializer.Serialize(kept);
    }

    /// <summary>A span for the dispatch of a scheduled message, child of the one that scheduled it (null when none was kept or nobody listens).</summary>
    public static Activity? StartDispatch(string? json, string destination)
    {
        if (json is null || JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json) is not { } headers
            || !headers.TryGetValue(TraceParent, out var parent) || parent.ValueKind != JsonValueKind.String
            || !ActivityContext.TryParse(parent.GetString(), null, out var context))
        {
            return null;
        }

        var activity = Telemetry.PipelineTelemetry.Source.StartActivity("scheduled send", ActivityKind.Producer, context);
        activity?.SetTag("messaging.destination.name", destination);
        return activity;
    }

    /// <summary>Sets the kept headers on the real send.</summary>
    public static void Apply(string? json, SendContext context)
    {
        if (json is null)
        {
            return;
        }

        // The trace parent is not a header of the message: the dispatch span (StartDispatch) carries it.
        foreach (var (key, value) in (JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json) ?? []).Where(h => h.Key != TraceParent))
        {
            context.Headers.Set(key, value.ValueKind switch
            {
                JsonValueKind.Number when value.TryGetInt32(out var i) => i,
                JsonValueKind.Number => value.GetInt64(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => value.GetString(),
            });
        }
    }

    // Stack traces of earlier attempts are long and say nothing the logs do not; the token is set by the dispatcher.
    private static bool Keep(string key) =>
        !key.Contains("StackTrace", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(key, TraceParent, StringComparison.Ordinal)
        && !string.Equals(key, MessageHeaders.SchedulingTokenId, StringComparison.OrdinalIgnoreCase);
}
