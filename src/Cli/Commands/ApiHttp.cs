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

    /// <summary>The answer's JSON on stdout; a non-2xx answer is exit code 1 (3 for not found) and the body says why.</summary>
    public static async Task<int> PrintAsync(HttpResponseMessage response, TextWriter output, CancellationToken cancellationToken)
    {
        using (response)
        {
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

            return ExitCodeOf(response);
        }
    }

    public static int ExitCodeOf(HttpResponseMessage response) =>
        response.IsSuccessStatusCode ? ExitCodes.Ok
        : response.StatusCode == HttpStatusCode.NotFound ? ExitCodes.NotFound
        : response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? ExitCodes.Denied
        : ExitCodes.Failed;

    /// <summary>The one-line reason of a problem answer (RFC 9457 body), or the status line.</summary>
    public static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
            {
                return detail.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Not a problem body; fall back to the status.
        }

        return $"{(int)response.StatusCode} {response.ReasonPhrase}";
    }

    /// <summary>The job id argument: a whole GUID (as printed by submit and status).</summary>
    public static Guid JobId(CommandLine line)
    {
        if (line.Positionals.Count != 1)
        {
            throw new UsageException("give exactly one JOB id.");
        }

        return Guid.TryParse(line.Positionals[0], out var id) ? id : throw new UsageException($"'{line.Positionals[0]}' is not a job id (a GUID, as `pipeline status` prints).");
    }
}
