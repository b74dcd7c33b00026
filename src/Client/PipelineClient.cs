using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Contracts.Api;

namespace Pipeline.Client;

/// <summary>
/// Typed calls to a running Pipeline (<c>pipeline up</c>, <c>pipeline demo --serve</c>, or the services behind one
/// address): jobs (<c>/api/jobs</c>), their live changes (<c>/api/events</c>), the serving API (<c>/predict</c>,
/// <c>/models</c>). A refused request throws <see cref="PipelineApiException"/> with the status and the problem's reason.
/// The <see cref="HttpClient"/> gives the base address, timeout and handlers; it is disposed with the client only when
/// <c>ownsHttp</c> says so (<see cref="Create"/>, which also sends the API key as a bearer token).
/// </summary>
public sealed partial class PipelineClient(HttpClient http, bool ownsHttp = false) : IDisposable
{
    /// <summary>Web defaults: camelCase names; enums as the API writes them.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly HttpClient _http = http ?? throw new ArgumentNullException(nameof(http));

    /// <summary>A client of its own for <paramref name="address"/>, sending <paramref name="apiKey"/> when given.</summary>
    public static PipelineClient Create(Uri address, string? apiKey = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        var http = new HttpClient { BaseAddress = new Uri(address.ToString().TrimEnd('/') + "/"), Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return new PipelineClient(http, ownsHttp: true);
    }

    public HttpClient Http => _http;

    public void Dispose()
    {
        if (ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>
    /// Uploads a data file (CSV, gzip CSV or Parquet) into the ingest bucket and starts a job on it, with
    /// <paramref name="settings"/> in the object-metadata vocabulary (<c>target</c>, <c>task</c>, <c>epochs</c>, ...;
    /// docs/INGEST.md).
    /// </summary>
    public async Task<JobAccepted> SubmitFileAsync(Stream content, string fileName, IEnumerable<KeyValuePair<string, string>> settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(settings);
        var query = string.Join('&', settings.Prepend(new("name", fileName)).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        using var body = new StreamContent(content);
        // The server tells the format by its first bytes; the type only has to be one it accepts.
        body.Headers.ContentType = new(fileName.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? MediaTypes.Parquet : "text/csv");
        using var response = await _http.PostAsync("api/jobs?" + query, body, cancellationToken);
        return await ReadAsync<JobAccepted>(response, cancellationToken);
    }

    /// <summary>Starts a job on an object already in the ingest bucket.</summary>
    public async Task<JobAccepted> SubmitObjectAsync(string key, JobSpec spec, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync("api/jobs", new { key, spec }, Json, cancellationToken);
        return await ReadAsync<JobAccepted>(response, cancellationToken);
    }

    /// <summary>A new job on the object <paramref name="job"/> trained on, with its settings and <paramref name="settings"/> on top.</summary>
    public async Task<JobAccepted> RetrainAsync(Guid job, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync($"api/jobs/{job}/retrain", new { settings }, Json, cancellationToken);
        return await ReadAsync<JobAccepted>(response, cancellationToken);
    }

    /// <summary>The newest jobs first, at most <paramref name="limit"/>, optionally in one state.</summary>
    public async Task<IReadOnlyList<JobSummary>> ListJobsAsync(int limit = 50, string? state = null, CancellationToken cancellationToken = default)
    {
        var query = $"api/jobs?limit={limit}" + (state is null ? "" : "&state=" + Uri.EscapeDataString(state));
        using var response = await _http.GetAsync(query, cancellationToken);
        return await ReadAsync<List<JobSummary>>(response, cancellationToken);
    }

    /// <summary>One job as the job page shows it.</summary>
    public async Task<JobDetail> GetJobAsync(Guid job, CancellationToken cancellationToken = default) =>
        await FindJobAsync(job, cancellationToken) ?? throw new PipelineApiException(HttpStatusCode.NotFound, $"Unknown job: no job {job}");

    /// <summary>One job, or null while the system has not recorded it (just submitted) or does not know it.</summary>
    public async Task<JobDetail?> FindJobAsync(Guid job, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"api/jobs/{job}", cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync<JobDetail>(response, cancellationToken);
    }

    public async Task<CancelAccepted> CancelJobAsync(Guid job, string? reason = null, CancellationToken cancellationToken = default)
    {
        var query = reason is null ? "" : "?reason=" + Uri.EscapeDataString(reason);
        using var response = await _http.PostAsync($"api/jobs/{job}/cancel{query}", null, cancellationToken);
        return await ReadAsync<CancelAccepted>(response, cancellationToken);
    }

    /// <summary>
    /// Predictions for <paramref name="rows"/>: a JSON object or array of objects of raw feature values, by column
    /// name. <paramref name="version"/> null: the production version.
    /// </summary>
    public async Task<PredictionAnswer> PredictAsync(string model, string rows, int? version = null, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(rows, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync($"predict/{Uri.EscapeDataString(model)}{(version is { } v ? "/" + v : "")}", content, cancellationToken);
        return await ReadAsync<PredictionAnswer>(response, cancellationToken);
    }

    public async Task<IReadOnlyList<ModelSummaryView>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync("models", cancellationToken);
        return await ReadAsync<List<ModelSummaryView>>(response, cancellationToken);
    }

    public async Task<ModelDetailView> GetModelAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"models/{Uri.EscapeDataString(name)}", cancellationToken);
        return await ReadAsync<ModelDetailView>(response, cancellationToken);
    }

    /// <summary>Makes <paramref name="toVersion"/> (null: the previous production version) production again.</summary>
    public async Task<RollbackView> RollbackAsync(string name, int? toVersion = null, string? requestedBy = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync($"models/{Uri.EscapeDataString(name)}/rollback", new RollbackRequest(toVersion, requestedBy), Json, cancellationToken);
        return await ReadAsync<RollbackView>(response, cancellationToken);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await PipelineApiException.FromResponseAsync(response, cancellationToken);
        }

        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
            ?? throw new PipelineApiException(response.StatusCode, $"the answer to {response.RequestMessage?.RequestUri?.AbsolutePath} was empty");
    }
}
