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

    /// <summary>The typed client (Pipeline.Client) over <see cref="Client(CommandLine, TimeSpan?)"/>'s address and key.</summary>
    public static Pipeline.Client.PipelineClient PipelineClient(CommandLine line, TimeSpan? timeout = null) => new(Client(line, timeout), ownsHttp: true);

    /// <summary>The answer as indented JSON, as the API writes it (for --json).</summary>
    public static void WriteJson<T>(T answer, TextWriter output) => output.WriteLine(JsonSerializer.Serialize(answer, IndentedApi));

    private static readonly JsonSerializerOptions IndentedApi = new(Pipeline.Client.PipelineClient.Json) { WriteIndented = true };

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

    public static int ExitCodeOf(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.IsSuccessStatusCode ? ExitCodes.Ok : ExitCodeOf(response.StatusCode);
    }

    public static int ExitCodeOf(HttpStatusCode status) =>
        (int)status is >= 200 and < 300 ? ExitCodes.Ok
        : status == HttpStatusCode.NotFound ? ExitCodes.NotFound
        : status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? ExitCodes.Denied
        : ExitCodes.Failed;

    /// <summary>The one-line reason of a problem answer (<see cref="Pipeline.Client.PipelineApiException.ReasonAsync"/>).</summary>
    public static Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        Pipeline.Client.PipelineApiException.ReasonAsync(response, cancellationToken);
}
