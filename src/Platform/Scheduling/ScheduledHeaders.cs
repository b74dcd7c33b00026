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
    /// <summary>Runs the caller's send pipe on a detached context and keeps the plain-valued headers it set, as JSON; null when none.</summary>
    public static async Task<string?> CaptureAsync<T>(T message, IPipe<SendContext<T>>? pipe, CancellationToken cancellationToken)
        where T : class
    {
        if (pipe is null)
        {
            return null;
        }

        var capture = new MessageSendContext<T>(message, cancellationToken);
        await pipe.Send(capture);
        var kept = capture.Headers.GetAll()
            .Where(h => Keep(h.Key) && h.Value is string or int or long or bool)
            .ToDictionary(h => h.Key, h => h.Value);
        return kept.Count == 0 ? null : JsonSerializer.Serialize(kept);
    }

    /// <summary>Sets the kept headers on the real send.</summary>
    public static void Apply(string? json, SendContext context)
    {
        if (json is null)
        {
            return;
        }

        foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json) ?? [])
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
        && !string.Equals(key, MessageHeaders.SchedulingTokenId, StringComparison.OrdinalIgnoreCase);
}
