using System.Net;
using System.Text.Json;

namespace Pipeline.Client;

/// <summary>
/// The system refused a request: the HTTP status and the one-line reason of its RFC 9457 problem answer ("title:
/// detail"), or the status line when the answer is not a problem.
/// </summary>
public sealed class PipelineApiException : Exception
{
    public PipelineApiException(HttpStatusCode status, string reason)
        : base(reason)
    {
        Status = status;
        Reason = reason;
    }

    public PipelineApiException()
        : this(HttpStatusCode.InternalServerError, "the request failed")
    {
    }

    public PipelineApiException(string message)
        : this(HttpStatusCode.InternalServerError, message)
    {
    }

    public PipelineApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = HttpStatusCode.InternalServerError;
        Reason = message;
    }

    public HttpStatusCode Status { get; }

    public string Reason { get; }

    /// <summary>The exception for a non-2xx answer (the body is read for its reason).</summary>
    public static async Task<PipelineApiException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new PipelineApiException(response.StatusCode, await ReasonAsync(response, cancellationToken));
    }

    /// <summary>
    /// The one-line reason of a problem answer ("title: detail", or the detail alone when it already starts with the
    /// title), or the status line; never the raw JSON with its escapes.
    /// </summary>
    public static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                var title = StringOf(root, "title");
                var detail = StringOf(root, "detail");
                var reason = (title, detail) switch
                {
                    ({ } t, { } d) when !d.StartsWith(t, StringComparison.OrdinalIgnoreCase) => $"{t}: {d}",
                    (_, { } d) => d,
                    ({ } t, null) => t,
                    _ => null,
                };
                if (reason is not null)
                {
                    return reason;
                }
            }
        }
        catch (JsonException)
        {
            // Not a problem body; fall back to the status.
        }

        return $"{(int)response.StatusCode} {response.ReasonPhrase}";
    }

    private static string? StringOf(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
