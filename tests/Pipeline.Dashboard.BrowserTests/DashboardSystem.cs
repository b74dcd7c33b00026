using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Pipeline.Cli.Demo;
using Pipeline.Testing.Embedded;

namespace Pipeline.Dashboard.BrowserTests;

/// <summary>
/// One embedded system for the dashboard page tests, with a model of two versions made before any test runs: v1 from
/// a short job (3 rounds) and v2 from its retrain with more rounds (so v2 is better, becomes production and v1 is
/// archived). Jobs are submitted through the API and awaited by polling it, as the CLI's watch does.
/// </summary>
public sealed class DashboardSystem : IAsyncLifetime
{
    public const string Model = "dash-houses";

    public string Artifacts { get; } = Environment.GetEnvironmentVariable("PIPELINE_TEST_ARTIFACTS") is { Length: > 0 } a
        ? a
        : Path.Combine(AppContext.BaseDirectory, "artifacts");

    public EmbeddedSystem System { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The first job (v1) and its retrain (v2), both finished.</summary>
    public Guid FirstJob { get; private set; }
    public Guid RetrainedJob { get; private set; }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Artifacts);
        System = await EmbeddedSystem.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri(System.Url) };
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await SystemBrowser.LaunchAsync(Playwright);

        var csv = Path.Combine(System.Folder, "dash-houses.csv");
        HousePriceCsv.Write(csv, 3000, seed: 5);
        FirstJob = await SubmitAsync(await File.ReadAllBytesAsync(csv), "dash-houses.csv", $"&target=price&model={Model}&shards=2&rounds=3");
        await WaitUntilFinishedAsync(FirstJob);
        using var retrain = await Http.PostAsJsonAsync($"/api/jobs/{FirstJob}/retrain", new { settings = new Dictionary<string, string> { ["rounds"] = "10" } });
        Assert.True(retrain.IsSuccessStatusCode, $"retrain: {(int)retrain.StatusCode} {await retrain.Content.ReadAsStringAsync()}");
        RetrainedJob = (await retrain.Content.ReadFromJsonAsync<Submitted>())!.JobId;
        await WaitUntilFinishedAsync(RetrainedJob);
    }

    public async Task<Guid> SubmitAsync(byte[] file, string name, string query)
    {
        using var content = new ByteArrayContent(file);
        content.Headers.ContentType = new("text/csv");
        using var response = await Http.PostAsync($"/api/jobs?name={name}{query}", content);
        Assert.True(response.IsSuccessStatusCode, $"submit: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Submitted>())!.JobId;
    }

    /// <summary>The job's detail once it has reached an end state (deployed, rejected, failed, cancelled).</summary>
    public async Task<JsonElement> WaitUntilFinishedAsync(Guid jobId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (true)
        {
            // 404 until the orchestrator has the job: the submit answers as soon as the job is on its way.
            using var response = await Http.GetAsync($"/api/jobs/{jobId}", timeout.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token)).RootElement.Clone();
                if (detail.GetProperty("summary").GetProperty("finished").GetBoolean())
                {
                    return detail;
                }
            }

            await tick.WaitForNextTickAsync(timeout.Token);
        }
    }

    public async Task<JsonElement> DetailAsync(Guid jobId, CancellationToken ct = default)
    {
        var text = await Http.GetStringAsync($"/api/jobs/{jobId}", ct);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A fresh page (1280 wide) that records the console's errors, so a test can assert there were none.</summary>
    public async Task<(IPage Page, List<string> Errors)> NewPageAsync()
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"{message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        return (page, errors);
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Playwright?.Dispose();
        Http?.Dispose();
        if (System is not null)
        {
            await System.DisposeAsync();
        }
    }

    private sealed record Submitted(Guid JobId, string Source);
}

/// <summary>The browser tests run one system at a time: two embedded systems at once would compete for the cores.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<DashboardSystem>
{
    public const string Name = "browser";
}
