using System.Net;
using System.Text.Json;

namespace Pipeline.Cli.Commands;

/// <summary>How the verbs that talk to a running system reach it and print its answers.</summary>
internal static class ApiHttp
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// A client for the running system (<see cref="ClientSettings"/>: --url, PIPELINE_URL, the config file, or
    /// <see cref="DefaultUrl"/>) that sends the API key when one is set; a malformed URL is a usage error.
    /// </summary>
    public static HttpClient Client(CommandLine line, TimeSpan? timeout = null)
    {
        var settings = ClientSettings.Resolve(line.Value("--url"));
        if (!Uri.TryCreate(settings.Url.TrimEnd('/') + "/", UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"{settings.UrlSource} '{settings.Url}' is not an absolute http(s) URL.");
        }

        var client = new HttpClient { BaseAddress = address, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        if (settings.Token is { } token)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>
    /// The answer's JSON on stdout (for --json); a non-2xx answer is one line on stderr instead (<see cref="ReasonAsync"/>)
    /// and its exit code (<see cref="ExitCodeOf"/>).
    /// </summary>
    public static async Task<int> PrintAsync(HttpResponseMessage response, CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                return await ProblemAsync(response, line, error, cancellationToken);
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            try
            {
                using var doc = JsonDocument.Parse(text);
                output.WriteLine(JsonSerializer.Serialize(doc.RootElement, Indented));
            }
            catch (JsonException)
            {
                output.WriteLine(text);
            }

            return ExitCodes.Ok;
        }
    }

    /// <summary>A refused request: "pipeline VERB: title: detail" on stderr, and the exit code of its status.</summary>
    public static async Task<int> ProblemAsync(HttpResponseMessage response, CommandLine line, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(error);
        error.WriteLine($"pipeline {line.Verb}: {await ReasonAsync(response, cancellationToken)}");
        return ExitCodeOf(response);
    }

    public static int ExitCodeOf(HttpResponseMessage response) =>
        response.IsSuccessStatusCode ? ExitCodes.Ok
        : response.StatusCode == HttpStatusCode.NotFound ? ExitCodes.NotFound
        : response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? ExitCodes.Denied
        : ExitCodes.Failed;

    /// <summary>
    /// The one-line reason of a problem answer (RFC 9457 body: "title: detail", the first field error's message added
    /// when it says more), or the status line; never the raw JSON with its escapes.
    /// </summary>
    public static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
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
