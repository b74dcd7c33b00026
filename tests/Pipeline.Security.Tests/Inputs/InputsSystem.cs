using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing.Embedded;

namespace Pipeline.Security.Tests.Inputs;

/// <summary>
/// One embedded system (every service, as <c>pipeline up</c> runs them) shared by the input probes, which run one
/// after the other (one collection) so that memory measured by one is not another's. Small limits are set where a
/// probe would otherwise need gigabytes of input; every other setting keeps its documented default.
/// </summary>
public sealed class InputsSystem : IAsyncLifetime
{
    /// <summary>Decompressed-size limit of this system: the gzip probe expands well past it.</summary>
    public const long MaxDecompressedBytes = 16L << 20;

    private EmbeddedSystem? _system;

    public HttpClient Http { get; private set; } = new();

    public string Folder => _system!.Folder;

    public async Task InitializeAsync()
    {
        _system = await EmbeddedSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Pipeline:Ingest:MaxDecompressedBytes"] = MaxDecompressedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Http = new HttpClient { BaseAddress = new Uri(_system.Url), Timeout = TimeSpan.FromMinutes(5) };
    }

    /// <summary>Uploads <paramref name="body"/> as a file named <paramref name="name"/>; <paramref name="query"/> adds spec settings.</summary>
    /// <summary>Uploads a file as the CLI does (typed <c>text/csv</c> unless the test typed it otherwise).</summary>
    public Task<HttpResponseMessage> SubmitAsync(string name, HttpContent body, string query = "")
    {
        if (body.Headers.ContentType is null || body.Headers.ContentType.MediaType == "text/plain")
        {
            body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        }

        return Http.PostAsync($"/api/jobs?name={Uri.EscapeDataString(name)}{query}", body);
    }

    /// <summary>Submits and returns the job id, failing the test on anything but 202.</summary>
    public async Task<Guid> SubmitJobAsync(string name, HttpContent body, string query = "")
    {
        using var response = await SubmitAsync(name, body, query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("jobId").GetGuid();
    }

    /// <summary>Polls <c>GET /api/jobs/{id}</c> until <paramref name="done"/> holds for its summary, within the deadline.</summary>
    public async Task<JsonElement> WaitForAsync(Guid jobId, Func<JsonElement, bool> done, TimeSpan deadline, Action? onPoll = null)
    {
        using var timeout = new CancellationTokenSource(deadline);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (true)
        {
            onPoll?.Invoke();
            using var response = await Http.GetAsync($"/api/jobs/{jobId}", timeout.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token)).RootElement;
                if (done(detail.GetProperty("summary")))
                {
                    return detail;
                }
            }

            await tick.WaitForNextTickAsync(timeout.Token);
        }
    }

    /// <summary>The finished job's detail (any final state).</summary>
    public Task<JsonElement> WaitUntilFinishedAsync(Guid jobId, TimeSpan deadline, Action? onPoll = null) =>
        WaitForAsync(jobId, s => s.GetProperty("finished").GetBoolean(), deadline, onPoll);

    /// <summary>The failure reason of a job that must have failed.</summary>
    public static string FailureOf(JsonElement detail)
    {
        var state = detail.GetProperty("summary").GetProperty("state").GetString();
        Assert.True(state == "Failed", $"the job is {state}, not Failed");
        return detail.GetProperty("failure").GetProperty("reason").GetString() ?? "";
    }

    /// <summary>The problem body of a refusal: its status must be <paramref name="status"/> and it must name <paramref name="field"/>.</summary>
    public static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString() ?? "", StringComparison.Ordinal);
        var problem = JsonDocument.Parse(body).RootElement;
        var named = (problem.TryGetProperty("field", out var f) ? f.GetString() : null) == field
            || (problem.TryGetProperty("detail", out var d) && (d.GetString() ?? "").StartsWith(field + ":", StringComparison.Ordinal));
        Assert.True(named, $"the problem does not name '{field}': {body}");
        return body;
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, object body) => Http.PostAsJsonAsync(path, body);

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }
}

/// <summary>The input probes share one system and run one at a time.</summary>
// Alone, after the other collections: its memory measurements must not see other tests' systems.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InputsCollection : ICollectionFixture<InputsSystem>
{
    public const string Name = "inputs";
}
